package org.d4c.publisher.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.d4c.core.io.AtomicFiles;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.progress.Progress;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An S3-compatible mirror (Cloudflare R2, Source Cooperative, AWS, MinIO, s3proxy) through the AWS SDK v2.
 *
 * <p>Keys are {@code <prefix><dataset>-<version>/<file>} (see {@link ReleasePaths}). Every object carries its
 * SHA-256 as user metadata ({@code x-amz-meta-sha256}), checked back with HEAD after the upload. A file already there
 * is skipped only when its bytes, read back and hashed, are the release's: metadata we wrote says what was sent, not
 * what the store holds now, so a damaged object is uploaded again (a repair). Small files go in one PUT with a precomputed {@code x-amz-checksum-sha256}
 * the server verifies; larger ones in parts of {@code part_size_mib}, read once in order (the whole file's SHA-256 is
 * computed on the way and must equal the release's before the upload is completed), each part sent with its own
 * SHA-256 on {@code concurrency} threads. The upload id and the finished parts are saved after every part in the
 * state folder, so an interrupted upload resumes from the parts the server confirms (ListParts). Multipart uploads
 * of ours under the release's folder that no saved state refers to are aborted at the end. The SDK retries
 * throttling and 5xx answers with backoff (standard strategy).
 */
public final class S3Mirror implements Mirror {
  private static final String SHA256_META = "sha256";
  private static final HexFormat HEX = HexFormat.of();

  private final MirrorFile.S3 config;
  private final S3Client s3;
  private final Path stateDir;
  private volatile IntConsumer partListener = n -> {};

  public S3Mirror(MirrorFile.S3 config, Credentials credentials, Path stateDir) {
    this(config, credentials, stateDir, 8);
  }

  /** {@code maxAttempts}: how often the SDK tries one request (tests lower it). */
  public S3Mirror(MirrorFile.S3 config, Credentials credentials, Path stateDir, int maxAttempts) {
    this.config = config;
    this.stateDir = stateDir.resolve(config.id());
    var b = S3Client.builder()
        .region(Region.of(config.region()))
        .forcePathStyle(config.pathStyle())
        .credentialsProvider(credentials(config, credentials))
        // Checksums are ours (precomputed SHA-256), not the SDK's default CRC trailers some servers do not store.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(Math.max(4, config.concurrency() * 2))
            .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(120)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(maxAttempts).build()));
    if (config.endpoint() != null) b.endpointOverride(config.endpoint());
    this.s3 = b.build();
  }

  private static AwsCredentialsProvider credentials(MirrorFile.S3 c, Credentials credentials) {
    if (c.credentialsFile() != null) {
      if (!Files.isReadable(c.credentialsFile())) {
        throw new MirrorException("mirror " + c.id(), "credentials_file " + c.credentialsFile() + " cannot be read");
      }
      return ProfileCredentialsProvider.builder()
          .profileFile(ProfileFile.builder().content(c.credentialsFile()).type(ProfileFile.Type.CREDENTIALS).build())
          .profileName(c.profile()).build();
    }
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(
        credentials.require(c.id(), "access_key_env", c.accessKeyEnv()),
        credentials.require(c.id(), "secret_key_env", c.secretKeyEnv())));
  }

  /** Called with each part number once the server has it (tests stop the server at a chosen part). */
  public void onPartUploaded(IntConsumer listener) {
    this.partListener = listener;
  }

  @Override
  public MirrorFile.S3 config() {
    return config;
  }

  String key(Release r, ReleaseFile f) {
    return config.prefix() + ReleasePaths.path(r, f);
  }

  @Override
  public String url(Release release, ReleaseFile file) {
    return config.publicUrl() == null ? null : ReleasePaths.url(config.publicUrl(), release, file);
  }

  @Override
  public String webSeed(Release release) {
    return config.publicUrl();
  }

  @Override
  public Report publish(Release release, Progress progress) {
    List<FileResult> results = new ArrayList<>();
    for (ReleaseFile f : release.files()) results.add(put(key(release, f), f, url(release, f), progress));
    abortStale(config.prefix() + ReleasePaths.folder(release) + "/");
    return new Report(config.id(), results, null);
  }

  @Override
  public Report publishCatalog(Path dir, List<ReleaseFile> files, Progress progress) {
    List<FileResult> results = new ArrayList<>();
    for (ReleaseFile f : files) {
      String key = config.prefix() + "catalog/" + f.name();
      String url = config.publicUrl() == null ? null : config.publicUrl() + ReleasePaths.encode("catalog/" + f.name());
      results.add(put(key, f, url, progress));
    }
    abortStale(config.prefix() + "catalog/");
    return new Report(config.id(), results, null);
  }

  private FileResult put(String key, ReleaseFile f, String url, Progress progress) {
    String where = "mirror " + config.id() + ": s3://" + config.bucket() + "/" + key;
    try {
      HeadObjectResponse head = head(key);
      if (head != null && head.contentLength() == f.size() && f.sha256().equals(readBackSha256(key, null))) {
        deleteState(key);
        return new FileResult(f.name(), Outcome.ALREADY_THERE, f.size(), url, "sha256 " + f.sha256() + " read back");
      }
      progress.begin(config.id() + " " + f.name(), f.size());
      long partSize = config.partSizeMib() * 1024L * 1024L;
      if (f.size() <= partSize) putWhole(key, f);
      else putInParts(key, f, partSize, progress);
      progress.end();
      HeadObjectResponse after = head(key);
      if (after == null) throw new MirrorException(where, "the object is not there after the upload");
      if (!f.sha256().equals(after.metadata().get(SHA256_META)) || after.contentLength() != f.size()) {
        throw new MirrorException(where, "read back as " + after.contentLength() + " bytes, sha256 "
            + after.metadata().get(SHA256_META) + "; expected " + f.size() + " bytes, sha256 " + f.sha256());
      }
      return new FileResult(f.name(), Outcome.UPLOADED, f.size(), url, "sha256 " + f.sha256());
    } catch (SdkException e) {
      throw new MirrorException(exitCode(e), where, describe(e));
    } catch (IOException e) {
      throw MirrorException.transientFailure(where, "cannot read the object back: " + e.getMessage());
    }
  }

  private HeadObjectResponse head(String key) {
    try {
      return s3.headObject(b -> b.bucket(config.bucket()).key(key).checksumMode(ChecksumMode.ENABLED));
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) return null;
      throw e;
    }
  }

  private void putWhole(String key, ReleaseFile f) {
    byte[] sha = HEX.parseHex(f.sha256());
    s3.putObject(b -> b.bucket(config.bucket()).key(key).contentType(f.mediaType()).contentLength(f.size())
        .metadata(Map.of(SHA256_META, f.sha256())).checksumSHA256(Base64.getEncoder().encodeToString(sha)),
        RequestBody.fromFile(f.path()));
  }

  /** The parts the server has, by number, with their ETags. */
  private record UploadState(String uploadId, Map<Integer, String[]> parts) {}

  private void putInParts(String key, ReleaseFile f, long partSize, Progress progress) {
    UploadState state = resumable(key, f, partSize);
    if (state == null) {
      String id = s3.createMultipartUpload(b -> b.bucket(config.bucket()).key(key).contentType(f.mediaType())
          .metadata(Map.of(SHA256_META, f.sha256())).checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
      state = new UploadState(id, new TreeMap<>());
      saveState(key, f, partSize, state);
    }
    final UploadState st = state;
    int parts = (int) ((f.size() + partSize - 1) / partSize);
    MessageDigest whole = sha256();
    ExecutorService pool = Executors.newFixedThreadPool(config.concurrency(), r -> {
      Thread t = new Thread(r, "d4c-s3-upload");
      t.setDaemon(true);
      return t;
    });
    // Buffers in flight are bounded: the reader waits for a free one.
    BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(config.concurrency() + 1);
    for (int i = 0; i <= config.concurrency(); i++) free.add(new byte[(int) partSize]);
    List<Future<?>> pending = new ArrayList<>();
    AtomicLong sent = new AtomicLong();
    try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
      for (int n = 1; n <= parts; n++) {
        byte[] buf = free.take();
        int len = (int) Math.min(partSize, f.size() - (n - 1) * partSize);
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
        while (bb.hasRemaining()) if (ch.read(bb) < 0) throw new IOException(f.path() + " is shorter than " + f.size() + " bytes");
        whole.update(buf, 0, len);
        int part = n;
        if (st.parts().containsKey(part)) {
          free.add(buf);
          progress.update(sent.addAndGet(len));
          continue;
        }
        pending.add(pool.submit(() -> {
          try {
            String partSha = Base64.getEncoder().encodeToString(sha256(buf, len));
            String etag = s3.uploadPart(b -> b.bucket(config.bucket()).key(key).uploadId(st.uploadId()).partNumber(part)
                .contentLength((long) len).checksumSHA256(partSha),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, len), len, f.mediaType())).eTag();
            synchronized (st) {
              st.parts().put(part, new String[] {etag, partSha});
              saveState(key, f, partSize, st);
            }
            progress.update(sent.addAndGet(len));
            partListener.accept(part);
          } finally {
            free.add(buf);
          }
          return null;
        }));
        drainDone(pending);
      }
      for (Future<?> p : pending) p.get();
    } catch (IOException e) {
      throw new MirrorException(f.path().toString(), "cannot read: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MirrorException.transientFailure(f.name(), "interrupted; run publish again to resume from the parts already sent");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof SdkException se) throw se;
      if (c instanceof RuntimeException re) throw re;
      throw MirrorException.transientFailure(f.name(), String.valueOf(c));
    } finally {
      pool.shutdownNow();
    }
    String actual = HEX.formatHex(whole.digest());
    if (!actual.equals(f.sha256())) {
      s3.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(st.uploadId()));
      deleteState(key);
      throw new MirrorException(f.path().toString(), "changed on disk: sha256 " + actual + ", the release says "
          + f.sha256() + "; the upload was aborted (rebuild or check the disk)");
    }
    List<CompletedPart> done = new ArrayList<>();
    for (Map.Entry<Integer, String[]> e : new TreeMap<>(st.parts()).entrySet()) {
      done.add(CompletedPart.builder().partNumber(e.getKey()).eTag(e.getValue()[0]).checksumSHA256(e.getValue()[1]).build());
    }
    s3.completeMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(st.uploadId())
        .multipartUpload(m -> m.parts(done)));
    deleteState(key);
  }

  private static void drainDone(List<Future<?>> pending) throws InterruptedException, ExecutionException {
    for (var it = pending.iterator(); it.hasNext(); ) {
      Future<?> p = it.next();
      if (p.isDone()) {
        p.get();
        it.remove();
      }
    }
  }

  /** The saved upload of this file, with the parts the server still confirms; null to start afresh. */
  private UploadState resumable(String key, ReleaseFile f, long partSize) {
    Path file = stateFile(key);
    if (!Files.exists(file)) return null;
    JsonNode saved;
    try {
      saved = CanonicalJson.mapper().readTree(file.toFile());
    } catch (IOException e) {
      return null;
    }
    if (!f.sha256().equals(saved.path("sha256").asText()) || saved.path("part_size").asLong() != partSize) {
      String old = saved.path("upload_id").asText();
      abortQuietly(key, old);
      return null;
    }
    String id = saved.path("upload_id").asText();
    Map<Integer, String> server = new TreeMap<>();
    try {
      Integer marker = null;
      while (true) {
        Integer m = marker;
        var page = s3.listParts(b -> b.bucket(config.bucket()).key(key).uploadId(id).partNumberMarker(m));
        for (Part p : page.parts()) server.put(p.partNumber(), p.eTag());
        if (!Boolean.TRUE.equals(page.isTruncated())) break;
        marker = page.nextPartNumberMarker();
      }
    } catch (NoSuchUploadException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) return null;
      throw e;
    }
    Map<Integer, String[]> parts = new TreeMap<>();
    saved.path("parts").fields().forEachRemaining(e -> {
      int n = Integer.parseInt(e.getKey());
      String etag = e.getValue().path("etag").asText();
      if (etag.equals(server.get(n))) parts.put(n, new String[] {etag, e.getValue().path("sha256").asText()});
    });
    return new UploadState(id, parts);
  }

  private Path stateFile(String key) {
    return stateDir.resolve(HEX.formatHex(sha256(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), -1)) + ".json");
  }

  private void saveState(String key, ReleaseFile f, long partSize, UploadState st) {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.put("bucket", config.bucket()).put("key", key).put("sha256", f.sha256()).put("part_size", partSize)
        .put("upload_id", st.uploadId());
    ObjectNode parts = o.putObject("parts");
    new TreeMap<>(st.parts()).forEach((n, v) -> parts.putObject(String.valueOf(n)).put("etag", v[0]).put("sha256", v[1]));
    AtomicFiles.write(stateFile(key), CanonicalJson.toBytes(o));
  }

  private void deleteState(String key) {
    try {
      Files.deleteIfExists(stateFile(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Aborts our multipart uploads under {@code prefix} that no saved state refers to. */
  private void abortStale(String prefix) {
    List<String> live = new ArrayList<>();
    if (Files.isDirectory(stateDir)) {
      try (var files = Files.list(stateDir)) {
        for (Path p : files.toList()) {
          try {
            live.add(CanonicalJson.mapper().readTree(p.toFile()).path("upload_id").asText());
          } catch (IOException e) {
            // an unreadable state file protects nothing
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (MultipartUpload u : s3.listMultipartUploadsPaginator(b -> b.bucket(config.bucket()).prefix(prefix)).uploads()) {
      if (!live.contains(u.uploadId())) abortQuietly(u.key(), u.uploadId());
    }
  }

  private void abortQuietly(String key, String uploadId) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId));
    } catch (SdkException e) {
      // already gone
    }
  }

  @Override
  public Report verify(Release release, Progress progress) {
    List<FileResult> results = new ArrayList<>();
    for (ReleaseFile f : release.files()) {
      String key = key(release, f);
      String url = url(release, f);
      try {
        HeadObjectResponse head = head(key);
        if (head == null) {
          results.add(new FileResult(f.name(), Outcome.MISSING, 0, url, "no object s3://" + config.bucket() + "/" + key));
          continue;
        }
        progress.begin(config.id() + " " + f.name(), head.contentLength());
        long[] count = new long[1];
        String actual = readBackSha256(key, n -> {
          count[0] = n;
          progress.update(n);
        });
        long n = count[0];
        progress.end();
        if (n == f.size() && actual.equals(f.sha256())) {
          results.add(new FileResult(f.name(), Outcome.VERIFIED, n, url, "sha256 " + actual));
        } else {
          results.add(new FileResult(f.name(), Outcome.CORRUPT, n, url, "read back " + n + " bytes with sha256 " + actual
              + "; expected " + f.size() + " bytes with sha256 " + f.sha256()));
        }
      } catch (SdkException | IOException e) {
        results.add(new FileResult(f.name(), Outcome.FAILED, 0, url, e instanceof SdkException se ? describe(se) : e.getMessage()));
      }
    }
    return new Report(config.id(), results, null);
  }

  /** The SHA-256 of the object's bytes as the store returns them now. */
  private String readBackSha256(String key, java.util.function.LongConsumer read) throws IOException {
    MessageDigest md = sha256();
    long n = 0;
    try (InputStream in = s3.getObject(b -> b.bucket(config.bucket()).key(key))) {
      byte[] buf = new byte[1 << 20];
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
        n += r;
        if (read != null) read.accept(n);
      }
    }
    if (read != null) read.accept(n);
    return HEX.formatHex(md.digest());
  }

  /**
   * 1 (run it again) when the store was unreachable, timed out, throttled or failed (5xx); 2 when it refused what we
   * asked (403 credentials, 404 bucket, 400): running again without changing the mirror file will not help.
   */
  static org.d4c.core.error.ExitCode exitCode(SdkException e) {
    if (e instanceof S3Exception s) {
      int c = s.statusCode();
      return c >= 500 || c == 408 || c == 429 ? org.d4c.core.error.ExitCode.FAILED : org.d4c.core.error.ExitCode.BAD_INPUT;
    }
    return org.d4c.core.error.ExitCode.FAILED;
  }

  /** The SDK's message without request ids or signatures; never holds a credential. */
  private static String describe(SdkException e) {
    if (e instanceof S3Exception s && s.awsErrorDetails() == null) return "HTTP " + s.statusCode();
    if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
      String code = s.awsErrorDetails().errorCode();
      String hint = switch (s.statusCode()) {
        case 403 -> " (check the access key and secret named in the mirror file)";
        case 404 -> " (does the bucket exist?)";
        default -> "";
      };
      return "HTTP " + s.statusCode() + (code == null || code.isBlank() ? "" : " " + code) + hint;
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] b, int len) {
    MessageDigest md = sha256();
    md.update(b, 0, len < 0 ? b.length : len);
    return md.digest();
  }

  @Override
  public void close() {
    s3.close();
  }
}
