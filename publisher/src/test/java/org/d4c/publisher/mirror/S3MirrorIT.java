package org.d4c.publisher.mirror;

import org.d4c.testing.S3Server;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.d4c.core.hash.Hashing;
import org.d4c.core.progress.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 mirror against a real S3 server (s3proxy, filesystem backend) on loopback. */
class S3MirrorIT {
  static final String KEY = "test-access";
  static final String SECRET = "test-secret-value";
  static final String BUCKET = "d4c";
  static final int MIB = 1024 * 1024;

  @TempDir Path tmp;
  S3Server server;
  S3Server anonymous;

  @BeforeEach
  void start() throws Exception {
    Files.createDirectories(tmp.resolve("store"));
    server = S3Server.start(tmp.resolve("store"), 0, KEY, SECRET);
    anonymous = S3Server.start(tmp.resolve("store"), 0, null, null);
    try (S3Client c = client(server)) {
      c.createBucket(b -> b.bucket(BUCKET));
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) server.close();
    if (anonymous != null) anonymous.close();
  }

  static S3Client client(S3Server s) {
    return S3Client.builder().endpointOverride(s.endpoint()).region(Region.of("auto")).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET))).build();
  }

  MirrorFile.S3 config(int port, int concurrency) {
    return new MirrorFile.S3("s3test", URI.create("http://127.0.0.1:" + port), "auto", BUCKET, "datasets/", true,
        "http://127.0.0.1:" + anonymous.port() + "/" + BUCKET + "/datasets/", "ACCESS", "SECRET", null, "default",
        5, concurrency, false);
  }

  static Credentials creds() {
    return Credentials.of(Map.of("ACCESS", KEY, "SECRET", SECRET));
  }

  Release release(Map<String, Integer> sizes) throws Exception {
    List<ReleaseFile> files = new ArrayList<>();
    Random r = new Random(7);
    for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(sizes).entrySet()) {
      Path f = tmp.resolve("build").resolve(e.getKey());
      Files.createDirectories(f.getParent());
      byte[] b = new byte[e.getValue()];
      r.nextBytes(b);
      Files.write(f, b);
      files.add(new ReleaseFile(e.getKey(), f, b.length, Hashing.sha256(f), "application/vnd.apache.parquet"));
    }
    return new Release("alpha", "1.0.0", null, files);
  }

  @Test
  void uploadsChecksBackSkipsWhatIsThereAndFindsAChangedByte() throws Exception {
    Release rel = release(Map.of("small.json", 1000, "sub/big data.parquet", 23 * MIB + 17));
    try (S3Mirror m = new S3Mirror(config(server.port(), 3), creds(), tmp.resolve("state"))) {
      Mirror.Report first = m.publish(rel, Progress.NONE);
      assertThat(first.text(), first.files().stream().map(f -> f.outcome()).toList(),
          contains(Mirror.Outcome.UPLOADED, Mirror.Outcome.UPLOADED));
      // Anyone reads it over plain HTTP at the public URL, with ranges (a web seed needs them).
      HttpClient http = HttpClient.newHttpClient();
      for (ReleaseFile f : rel.files()) {
        String url = m.url(rel, f);
        HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(url, whole.statusCode(), is(200));
        assertThat(Hashing.sha256(whole.body()), is(f.sha256()));
        HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=10-19").build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode(), is(206));
        assertThat(range.body().length, is(10));
      }
      assertThat(m.url(rel, rel.files().get(1)), containsString("alpha-1.0.0/sub/big%20data.parquet"));

      Mirror.Report second = m.publish(rel, Progress.NONE);
      assertThat(second.files().stream().map(f -> f.outcome()).toList(), everyItem(is(Mirror.Outcome.ALREADY_THERE)));
      Mirror.Report ok = m.verify(rel, Progress.NONE);
      assertThat(ok.files().stream().map(f -> f.outcome()).toList(), everyItem(is(Mirror.Outcome.VERIFIED)));

      Path stored = server.objectFile(BUCKET, "datasets/alpha-1.0.0/sub/big data.parquet");
      try (RandomAccessFile raf = new RandomAccessFile(stored.toFile(), "rw")) {
        raf.seek(12_345_678);
        int b = raf.read();
        raf.seek(12_345_678);
        raf.write(b ^ 0x01);
      }
      Mirror.Report bad = m.verify(rel, Progress.NONE);
      assertThat(bad.ok(), is(false));
      assertThat(bad.files().get(0).outcome(), is(Mirror.Outcome.VERIFIED));
      assertThat(bad.files().get(1).outcome(), is(Mirror.Outcome.CORRUPT));
      assertThat(bad.files().get(1).detail(), containsString(rel.files().get(1).sha256()));
    }
  }

  @Test
  void anInterruptedMultipartUploadResumesFromTheConfirmedPartsAndLeavesNoStaleUploads() throws Exception {
    Release rel = release(Map.of("big.parquet", 30 * MIB));
    int port = server.port();
    // A stale multipart upload of an earlier run that left no state: aborted at the end.
    try (S3Client c = client(server)) {
      c.createMultipartUpload(b -> b.bucket(BUCKET).key("datasets/alpha-1.0.0/big.parquet"));
    }
    List<Integer> firstRun = Collections.synchronizedList(new ArrayList<>());
    try (S3Mirror m = new S3Mirror(config(port, 1), creds(), tmp.resolve("state"), 2)) {
      m.onPartUploaded(n -> {
        firstRun.add(n);
        if (n == 3) {
          try {
            server.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      MirrorException e = assertThrows(MirrorException.class, () -> m.publish(rel, Progress.NONE));
      assertThat(e.getMessage(), containsString("s3test"));
    }
    assertThat(firstRun, contains(1, 2, 3));
    try (var states = Files.list(tmp.resolve("state/s3test"))) {
      assertThat(states.count(), is(1L));
    }

    server = S3Server.start(tmp.resolve("store"), port, KEY, SECRET);
    List<Integer> secondRun = Collections.synchronizedList(new ArrayList<>());
    try (S3Mirror m = new S3Mirror(config(port, 1), creds(), tmp.resolve("state"))) {
      m.onPartUploaded(secondRun::add);
      Mirror.Report r = m.publish(rel, Progress.NONE);
      assertThat(r.files().get(0).outcome(), is(Mirror.Outcome.UPLOADED));
      assertThat(m.verify(rel, Progress.NONE).ok(), is(true));
    }
    assertThat("parts 1-3 were not sent again", secondRun, contains(4, 5, 6));
    try (S3Client c = client(server)) {
      assertThat(c.listMultipartUploads(b -> b.bucket(BUCKET)).uploads(), is(empty()));
      assertThat(Hashing.sha256(c.getObjectAsBytes(b -> b.bucket(BUCKET).key("datasets/alpha-1.0.0/big.parquet")).asByteArray()),
          is(rel.files().get(0).sha256()));
    }
    try (var states = Files.list(tmp.resolve("state/s3test"))) {
      assertThat(states.toList(), is(empty()));
    }
  }

  @Test
  void aWrongSecretIsRefusedWithoutShowingIt() throws Exception {
    Release rel = release(Map.of("small.json", 100));
    try (S3Mirror m = new S3Mirror(config(server.port(), 1), Credentials.of(Map.of("ACCESS", KEY, "SECRET", "canary-9f2b7c")),
        tmp.resolve("state"), 1)) {
      MirrorException e = assertThrows(MirrorException.class, () -> m.publish(rel, Progress.NONE));
      assertThat(e.getMessage(), containsString("403"));
      assertThat(e.getMessage(), not(containsString("canary-9f2b7c")));
    }
    MirrorException missing = assertThrows(MirrorException.class,
        () -> new S3Mirror(config(server.port(), 1), Credentials.of(Map.of("ACCESS", KEY)), tmp.resolve("state")));
    assertThat(missing.getMessage(), containsString("SECRET"));
    assertThat(missing.getMessage(), containsString("secret_key_env"));
  }
}
