package org.d4c.manifests.sources;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.d4c.core.io.Redact;
import org.d4c.core.net.SafeHttp;
import org.d4c.core.hash.Hashing;
import org.d4c.core.progress.Progress;
import org.d4c.manifests.recipe.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Source files stored by content ({@code <root>/sha256/<first 2 hex>/<hex>}), so a locked source is fetched
 * once and a file in the cache is by construction the one its name says. Downloads go to a temp file in the
 * cache folder while being hashed, and are moved into place only when sha256 and size match.
 * Immutable and thread safe.
 */
public final class SourceCache {
  private static final Logger LOG = LoggerFactory.getLogger(SourceCache.class);

  /** What {@link #lock} found: the content hash and size, and which URL served it (redacted). */
  public record Lock(String sha256, long size, String url, Path file) {}

  private record Fetched(Path tmp, String sha256, long size) {}

  /** An error that retrying the same URL cannot fix (HTTP 404, too many bytes, a bad URL). */
  private static final class FinalIOException extends IOException {
    FinalIOException(String message) {
      super(message);
    }
  }

  private final Path root;
  private final String s3Endpoint;
  private final int attempts;
  private final Duration backoff;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private volatile SafeHttp http;

  /** A cache at {@code root}; S3 goes to {@code $D4C_S3_ENDPOINT} when set, else to AWS. */
  public SourceCache(Path root) {
    this(root, System.getenv("D4C_S3_ENDPOINT"), 3, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60));
  }

  private SourceCache(Path root, String s3Endpoint, int attempts, Duration backoff, Duration connectTimeout, Duration requestTimeout) {
    this.root = root.toAbsolutePath().normalize();
    this.s3Endpoint = s3Endpoint == null || s3Endpoint.isBlank() ? null : s3Endpoint.replaceAll("/+$", "");
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
  }

  /** {@code ${D4C_CACHE:-~/.cache/d4c}/sources}. */
  public static Path defaultRoot() {
    String env = System.getenv("D4C_CACHE");
    Path base = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "d4c");
    return base.resolve("sources");
  }

  public static SourceCache atDefaultRoot() {
    return new SourceCache(defaultRoot());
  }

  /** S3 through this endpoint as {@code <endpoint>/<bucket>/<key>} (path style), e.g. a local test server. */
  public SourceCache withS3Endpoint(String endpoint) {
    return new SourceCache(root, endpoint, attempts, backoff, connectTimeout, requestTimeout);
  }

  /** Attempts per HTTP URL (5xx, 429 and I/O errors are retried), the first wait doubling each time. */
  public SourceCache withRetries(int attempts, Duration firstBackoff) {
    return new SourceCache(root, s3Endpoint, attempts, firstBackoff, connectTimeout, requestTimeout);
  }

  /** Connect timeout, and how long to wait for the response headers. */
  public SourceCache withTimeouts(Duration connect, Duration request) {
    return new SourceCache(root, s3Endpoint, attempts, backoff, connect, request);
  }

  public Path root() {
    return root;
  }

  public Path pathFor(String sha256) {
    if (!sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a lowercase sha256: " + sha256);
    return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  /**
   * The cached file, if present with the right size. Only the size is re-checked (cheap): the file name is its
   * hash and files only get there after verification. A size mismatch (a damaged entry, or a wrong size in the
   * lock) is a miss; the entry is not deleted, a verified download replaces it.
   */
  public Optional<Path> find(String sha256, Long size) {
    Path p = pathFor(sha256);
    try {
      if (!Files.isRegularFile(p)) return Optional.empty();
      if (size != null && Files.size(p) != size) {
        LOG.warn("cache entry {} has {} bytes, expected {}: fetching again", p, Files.size(p), size);
        return Optional.empty();
      }
      return Optional.of(p);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The cached file for a locked source, downloading it first if needed. */
  public Path fetch(Source s, Path recipeDir, Progress progress) {
    if (s.sha256() == null) throw new SourceException("source " + s.id() + ": no sha256 to verify against; run ./d4c lock RECIPE first");
    Optional<Path> hit = find(s.sha256(), s.size());
    List<String> errors = new ArrayList<>();
    if (hit.isPresent()) {
      // Re-hash a hit: a build must never claim the locked bytes for a damaged cache entry of the same size.
      String actual = Hashing.sha256(hit.get());
      if (actual.equals(s.sha256())) return hit.get();
      LOG.warn("cache entry {} is damaged (sha256 {}): fetching again", hit.get(), actual);
      errors.add("cache entry " + hit.get() + " is damaged: expected sha256 " + s.sha256() + ", got sha256 " + actual);
    }
    for (String url : s.urls()) {
      Fetched f = tryUrl(s, url, recipeDir, s.size(), progress, errors);
      if (f == null) continue;
      if (f.sha256().equals(s.sha256()) && (s.size() == null || f.size() == s.size())) return publish(f);
      delete(f.tmp());
      errors.add(Redact.url(url) + ": content does not match the lock: expected sha256 " + s.sha256()
          + (s.size() == null ? "" : " (" + s.size() + " bytes)") + ", got sha256 " + f.sha256() + " (" + f.size() + " bytes)");
    }
    throw failure(s, errors);
  }

  public Lock lock(Source s, Path recipeDir) {
    return lock(s, recipeDir, Progress.NONE);
  }

  /** Fetches from the first URL that works, without an expected hash, and keeps the file in the cache. */
  public Lock lock(Source s, Path recipeDir, Progress progress) {
    List<String> errors = new ArrayList<>();
    for (String url : s.urls()) {
      Fetched f = tryUrl(s, url, recipeDir, null, progress, errors);
      if (f != null) return new Lock(f.sha256(), f.size(), Redact.url(url), publish(f));
    }
    throw failure(s, errors);
  }

  private SourceException failure(Source s, List<String> errors) {
    return new SourceException("source " + s.id() + ": could not fetch from any of its " + s.urls().size() + " url(s):\n"
        + errors.stream().map(e -> "  - " + e).collect(Collectors.joining("\n")));
  }

  private Fetched tryUrl(Source s, String url, Path recipeDir, Long expectedSize, Progress progress, List<String> errors) {
    LOG.info("source {}: fetching {}", s.id(), Redact.url(url));
    progress.begin("fetch " + s.id(), expectedSize == null ? -1 : expectedSize);
    try {
      return download(url, recipeDir, expectedSize, progress);
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
      errors.add(Redact.url(url) + ": interrupted");
    } catch (IOException | RuntimeException e) {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      errors.add(Redact.url(url) + ": " + Redact.text(msg));
    } finally {
      progress.end();
    }
    return null;
  }

  private Fetched download(String url, Path recipeDir, Long expectedSize, Progress progress) throws IOException {
    String scheme = url.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") ? url.substring(0, url.indexOf(':')).toLowerCase() : "";
    return switch (scheme) {
      case "" -> copyLocal(recipeDir.resolve(url).normalize(), expectedSize, progress);
      case "file" -> copyLocal(Path.of(URI.create(url)), expectedSize, progress);
      case "http", "https" -> downloadHttp(URI.create(url), expectedSize, progress);
      case "s3" -> downloadHttp(s3ToHttps(url), expectedSize, progress);
      default -> throw new FinalIOException("unsupported URL scheme \"" + scheme + "\" (use a relative path, file:, http(s): or s3:)");
    };
  }

  private Fetched copyLocal(Path file, Long expectedSize, Progress progress) throws IOException {
    if (!Files.isRegularFile(file)) throw new FinalIOException("no such file " + file);
    try (InputStream in = Files.newInputStream(file)) {
      return copy(in, expectedSize, progress);
    }
  }

  URI s3ToHttps(String url) {
    String rest = url.substring("s3://".length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) throw new IllegalArgumentException("expected s3://bucket/key");
    String bucket = rest.substring(0, slash);
    String key = Arrays.stream(rest.substring(slash + 1).split("/", -1))
        .map(seg -> URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("/"));
    return URI.create(s3Endpoint == null ? "https://" + bucket + ".s3.amazonaws.com/" + key : s3Endpoint + "/" + bucket + "/" + key);
  }

  private Fetched downloadHttp(URI uri, Long expectedSize, Progress progress) throws IOException {
    long wait = backoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      IOException failure;
      try {
        try (SafeHttp.Stream r = client().open(uri, "User-Agent", "d4c")) {
          int code = r.status();
          if (code == 200) return copy(r.body(), expectedSize, progress);
          String msg = "HTTP " + code;
          if (code < 500 && code != 429 && code != 408) throw new FinalIOException(msg);
          failure = new IOException(msg);
        }
      } catch (FinalIOException e) {
        throw e;
      } catch (SafeHttp.RedirectRefusedException e) {
        throw new FinalIOException(e.getMessage());
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        failure = e;
      }
      if (attempt >= attempts) {
        throw new IOException(Redact.text(String.valueOf(failure.getMessage())) + " (after " + attempt + " attempts)", failure);
      }
      LOG.warn("{}: {}; retrying in {} ms", Redact.url(uri.toString()), Redact.text(failure.getMessage()), wait);
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
      wait *= 2;
    }
  }

  private SafeHttp client() {
    SafeHttp c = http;
    if (c == null) {
      synchronized (this) {
        if (http == null) {
          // connect and response-header timeouts: the larger of the two bounds both (SafeHttp has one timeout)
          http = SafeHttp.standard(connectTimeout.compareTo(requestTimeout) > 0 ? connectTimeout : requestTimeout);
        }
        c = http;
      }
    }
    return c;
  }

  /** Streams into a temp file in the cache folder, hashing and counting; stops as soon as it is too long. */
  private Fetched copy(InputStream in, Long expectedSize, Progress progress) throws IOException {
    // The cache is private (0700 folders, 0600 files): it may hold copies of files only their owner could read.
    org.d4c.core.io.Folders.createPrivate(root);
    Path tmpDir = org.d4c.core.io.Folders.createPrivate(root.resolve("tmp"));
    Path tmp = tmpDir.resolve(UUID.randomUUID() + ".part");
    Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(org.d4c.core.io.AtomicFiles.PRIVATE));
    MessageDigest md = Hashing.newSha256();
    long n = 0;
    boolean ok = false;
    try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
      byte[] buf = new byte[Hashing.BUFFER];
      for (int r; (r = in.read(buf)) > 0; ) {
        n += r;
        if (expectedSize != null && n > expectedSize) {
          throw new FinalIOException("more than the " + expectedSize + " bytes in the lock; stopped");
        }
        md.update(buf, 0, r);
        out.write(buf, 0, r);
        progress.update(n);
      }
      ok = true;
    } finally {
      if (!ok) delete(tmp);
    }
    return new Fetched(tmp, Hashing.hex(md.digest()), n);
  }

  private Path publish(Fetched f) {
    Path target = pathFor(f.sha256());
    try {
      org.d4c.core.io.Folders.createPrivate(target.getParent().getParent());
      org.d4c.core.io.Folders.createPrivate(target.getParent());
      // Same name means same bytes, so replacing a concurrent writer's copy is harmless.
      Files.move(f.tmp(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      delete(f.tmp());
      throw new SourceException("cannot store " + target + " in the cache: " + e.getMessage(), e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", p, e.getMessage());
    }
  }
}
