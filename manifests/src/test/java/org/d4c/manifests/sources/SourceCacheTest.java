package org.d4c.manifests.sources;

import org.d4c.core.io.Redact;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.d4c.core.hash.Hashing;
import org.d4c.core.progress.Progress;
import org.d4c.manifests.recipe.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceCacheTest {
  static final byte[] DATA = "id,name\n1,Yukon\n2,Nunavut\n".getBytes(StandardCharsets.UTF_8);
  static final String SHA = Hashing.sha256(DATA);

  @TempDir Path tmp;
  HttpServer server;
  String base;
  final AtomicInteger flakyCalls = new AtomicInteger();
  final List<String> paths = new ArrayList<>();
  SourceCache cache;
  Path recipeDir;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      String p = ex.getRequestURI().getRawPath();
      synchronized (paths) {
        paths.add(p);
      }
      int code = 200;
      byte[] body = DATA;
      if (p.equals("/flaky") && flakyCalls.incrementAndGet() == 1) code = 500;
      else if (p.equals("/wrong")) body = "other bytes".getBytes(StandardCharsets.UTF_8);
      else if (p.equals("/missing") || p.startsWith("/secret")) code = 404;
      else if (p.equals("/always500")) code = 503;
      else if (p.equals("/redirect")) {
        ex.getResponseHeaders().add("Location", "/ok");
        code = 302;
      }
      if (code != 200) body = ("error " + code).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(code, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    cache = new SourceCache(tmp.resolve("cache")).withRetries(3, Duration.ofMillis(10)).withS3Endpoint(base + "/s3");
    recipeDir = Files.createDirectories(tmp.resolve("recipe"));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static Source source(List<String> urls, String sha, Long size) {
    return new Source("src", urls, sha, size, null, null, null, List.of());
  }

  List<Path> cacheFiles() throws IOException {
    if (!Files.exists(cache.root())) return List.of();
    try (Stream<Path> s = Files.walk(cache.root())) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void anOwnerOnlySourceStaysPrivateInTheCache() throws Exception {
    Path src = recipeDir.resolve("private.csv");
    Files.write(src, DATA);
    Files.setPosixFilePermissions(src, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Path p = cache.fetch(source(List.of("private.csv"), SHA, (long) DATA.length), recipeDir, Progress.NONE);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), equalTo("rw-------"));
    for (Path d = p.getParent(); d.startsWith(cache.root()); d = d.getParent()) {
      assertThat(d.toString(), java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), equalTo("rwx------"));
    }
  }

  @Test
  void fetchesRelativePathIntoContentAddressedCache() throws Exception {
    Files.write(recipeDir.resolve("data.csv"), DATA);
    List<Long> progress = new ArrayList<>();
    Path p = cache.fetch(source(List.of("data.csv"), SHA, (long) DATA.length), recipeDir, new Progress() {
      @Override public void begin(String task, long total) { progress.add(total); }
      @Override public void update(long done) { progress.add(done); }
      @Override public void end() {}
    });
    assertThat(p, equalTo(cache.root().resolve("sha256").resolve(SHA.substring(0, 2)).resolve(SHA)));
    assertThat(Files.readAllBytes(p), equalTo(DATA));
    assertThat(progress, equalTo(List.of((long) DATA.length, (long) DATA.length)));
    // A second fetch is a cache hit: the original may even be gone.
    Files.delete(recipeDir.resolve("data.csv"));
    assertThat(cache.fetch(source(List.of("data.csv"), SHA, (long) DATA.length), recipeDir, Progress.NONE), equalTo(p));
    assertThat(cacheFiles(), equalTo(List.of(p)));
  }

  @Test
  void fetchesFileUri() throws Exception {
    Path f = Files.write(tmp.resolve("elsewhere.csv"), DATA);
    Path p = cache.fetch(source(List.of(f.toUri().toString()), SHA, null), recipeDir, Progress.NONE);
    assertThat(Hashing.sha256(p), equalTo(SHA));
  }

  @Test
  void mismatchLeavesNothingInTheCacheAndNamesEverything() throws Exception {
    Files.write(recipeDir.resolve("data.csv"), DATA);
    String wrong = "0".repeat(63) + "1";
    SourceException e = assertThrows(SourceException.class,
        () -> cache.fetch(source(List.of("data.csv"), wrong, (long) DATA.length), recipeDir, Progress.NONE));
    assertThat(e.getMessage(), allOf(containsString("source src"), containsString("data.csv"),
        containsString("expected sha256 " + wrong + " (" + DATA.length + " bytes)"),
        containsString("got sha256 " + SHA + " (" + DATA.length + " bytes)")));
    assertThat(cacheFiles(), empty());
  }

  @Test
  void retriesA500ThenSucceeds() throws Exception {
    Path p = cache.fetch(source(List.of(base + "/flaky"), SHA, (long) DATA.length), recipeDir, Progress.NONE);
    assertThat(Files.readAllBytes(p), equalTo(DATA));
    assertThat(flakyCalls.get(), equalTo(2));
  }

  @Test
  void wrongBytesOverHttpFallBackToTheNextMirror() throws Exception {
    Path p = cache.fetch(source(List.of(base + "/wrong", base + "/ok"), SHA, null), recipeDir, Progress.NONE);
    assertThat(Files.readAllBytes(p), equalTo(DATA));
    assertThat(cacheFiles(), equalTo(List.of(p)));
  }

  @Test
  void wrongBytesOverHttpFail() throws Exception {
    SourceException e = assertThrows(SourceException.class,
        () -> cache.fetch(source(List.of(base + "/wrong"), SHA, null), recipeDir, Progress.NONE));
    assertThat(e.getMessage(), allOf(containsString(base + "/wrong"), containsString("expected sha256 " + SHA),
        containsString("got sha256 " + Hashing.sha256("other bytes".getBytes(StandardCharsets.UTF_8)) + " (11 bytes)")));
    assertThat(cacheFiles(), empty());
  }

  @Test
  void stopsReadingPastTheLockedSize() throws Exception {
    SourceException e = assertThrows(SourceException.class,
        () -> cache.fetch(source(List.of(base + "/ok"), SHA, 5L), recipeDir, Progress.NONE));
    assertThat(e.getMessage(), containsString("more than the 5 bytes in the lock"));
    assertThat(cacheFiles(), empty());
  }

  @Test
  void collectsTheErrorOfEveryUrl() {
    SourceException e = assertThrows(SourceException.class, () -> cache.fetch(
        source(List.of("nope.csv", base + "/missing", base + "/always500", "ftp://x/y"), SHA, null), recipeDir, Progress.NONE));
    String m = e.getMessage();
    assertThat(m, containsString("could not fetch from any of its 4 url(s)"));
    assertThat(m, containsString("  - nope.csv: no such file"));
    assertThat(m, containsString("  - " + base + "/missing: HTTP 404"));
    assertThat(m, containsString("  - " + base + "/always500: HTTP 503 (after 3 attempts)"));
    assertThat(m, containsString("  - ftp://x/y: unsupported URL scheme \"ftp\""));
    synchronized (paths) {
      assertThat(paths.stream().filter(p -> p.equals("/missing")).count(), equalTo(1L)); // 4xx is not retried
    }
  }

  @Test
  void redactsCredentialsInMessages() {
    String url = base.replace("http://", "http://user:secret@") + "/secret/x?token=abc&X-Amz-Signature=deadbeef&page=2";
    SourceException e = assertThrows(SourceException.class,
        () -> cache.fetch(source(List.of(url), SHA, null), recipeDir, Progress.NONE));
    assertThat(e.getMessage(), allOf(not(containsString("secret@")), not(containsString("user:")),
        not(containsString("abc")), not(containsString("deadbeef"))));
    assertThat(e.getMessage(), containsString("http://***@127.0.0.1:" + server.getAddress().getPort()
        + "/secret/x?token=***&X-Amz-Signature=***&page=2"));
  }

  @Test
  void redactsUrls() {
    assertThat(Redact.url("https://user:secret@host/x?token=abc"), equalTo("https://***@host/x?token=***"));
    assertThat(Redact.url("https://host/x?sig=1&a=2&access_key=3"), equalTo("https://host/x?sig=***&a=2&access_key=***"));
    assertThat(Redact.url("data/file.gpkg"), equalTo("data/file.gpkg"));
  }

  @Test
  void s3GoesToTheConfiguredEndpointPathStyle() throws Exception {
    Path p = cache.fetch(source(List.of("s3://bucket/dir/a file.csv"), SHA, null), recipeDir, Progress.NONE);
    assertThat(Files.readAllBytes(p), equalTo(DATA));
    synchronized (paths) {
      assertThat(paths, equalTo(List.of("/s3/bucket/dir/a%20file.csv")));
    }
    assertThat(new SourceCache(tmp).withS3Endpoint(null).s3ToHttps("s3://b/k/x.zip").toString(),
        equalTo("https://b.s3.amazonaws.com/k/x.zip"));
  }

  @Test
  void followsRedirects() throws Exception {
    assertThat(Files.readAllBytes(cache.fetch(source(List.of(base + "/redirect"), SHA, null), recipeDir, Progress.NONE)),
        equalTo(DATA));
  }

  @Test
  void lockComputesHashAndSizeAndCaches() throws Exception {
    SourceCache.Lock l = cache.lock(source(List.of(base + "/missing", base + "/ok"), null, null), recipeDir);
    assertThat(l.sha256(), equalTo(SHA));
    assertThat(l.size(), equalTo((long) DATA.length));
    assertThat(l.url(), equalTo(base + "/ok"));
    assertThat(cache.find(SHA, (long) DATA.length).orElseThrow(), equalTo(l.file()));
  }

  @Test
  void damagedCacheEntryIsDroppedAndFetchedAgain() throws Exception {
    Path entry = cache.pathFor(SHA);
    Files.createDirectories(entry.getParent());
    Files.writeString(entry, "truncated");
    Path p = cache.fetch(source(List.of(base + "/ok"), SHA, (long) DATA.length), recipeDir, Progress.NONE);
    assertThat(Files.readAllBytes(p), equalTo(DATA));
  }

  @Test
  void fetchRequiresALock() {
    SourceException e = assertThrows(SourceException.class,
        () -> cache.fetch(source(List.of("a.csv"), null, null), recipeDir, Progress.NONE));
    assertThat(e.getMessage(), containsString("run ./d4c lock"));
  }
}
