package org.d4c.publisher.torrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.d4c.manifests.lock.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent client (Debian's aria2c) downloads a dataset version through the torrent's BEP 19 web seed ONLY:
 * no tracker, no DHT, no local peer discovery, no peer exchange. The web seed is an in-process range-capable HTTP
 * server serving the PARENT of the {@code <dataset>-<version>} folder. Every downloaded file's sha256 must match the
 * manifest (and manifest.json must match itself byte for byte).
 */
class WebSeedDownloadIT {
  static String aria2c;

  @TempDir
  Path tmp;

  HttpServer server;
  final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void installAria2() throws Exception {
    aria2c = org.d4c.publisher.Processes.which("aria2c");
    if (aria2c == null && "root".equals(System.getProperty("user.name"))) {
      org.d4c.publisher.Processes.run(List.of("apt-get", "install", "-y", "-q", "aria2"), 600);
      aria2c = org.d4c.publisher.Processes.which("aria2c");
    }
    assumeTrue(aria2c != null, "aria2c is not installed and this is not root: run `apt-get install -y aria2` to run this test");
  }

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  @Test
  void aria2cDownloadsThroughTheWebSeedOnly() throws Exception {
    Map<String, Integer> files = new LinkedHashMap<>();
    files.put("data.parquet", 400_000);
    files.put("parts/part-0001.parquet", 250_001);
    files.put("parts/part-0002.parquet", 123_457);
    files.put("rejects.parquet", 777);
    Path mirror = tmp.resolve("mirror"); // what a mirror serves: <base>/<dataset>-<version>/...
    Path build = FakeBuild.write(mirror.resolve("roads-1.2.0"), "roads", "1.2.0", files, 7);
    Manifest m = Manifests.read(build.resolve(Manifests.FILE_NAME));

    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/mirror/", ex -> serve(ex, mirror));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/mirror/";

    Path torrent = tmp.resolve("roads-1.2.0.torrent");
    TorrentMaker.Result r = TorrentMaker.of(build).webSeeds(List.of(base)).doi("10.5281/zenodo.42").writeTo(torrent);
    assertEquals("roads-1.2.0", r.name());

    Path down = Files.createDirectories(tmp.resolve("download"));
    List<String> cmd = List.of(aria2c, "--dir=" + down, "--enable-dht=false", "--enable-dht6=false",
        "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--seed-time=0", "--follow-torrent=mem",
        "--bt-tracker-connect-timeout=1", "--check-integrity=true", "--file-allocation=none", "--console-log-level=warn",
        "--summary-interval=0", "--listen-port=6881-6999", "--bt-stop-timeout=60", torrent.toString());
    String log = org.d4c.publisher.Processes.run(cmd, 120);

    Path got = down.resolve("roads-1.2.0");
    for (Manifest.OutputFile o : m.outputs()) {
      Path f = got.resolve(o.path());
      assertTrue(Files.isRegularFile(f), "missing " + o.path() + "\naria2c said:\n" + log);
      assertEquals(o.size(), Files.size(f), o.path());
      assertEquals(o.sha256(), Hashing.sha256(f), o.path());
    }
    assertEquals(Hashing.sha256(build.resolve(Manifests.FILE_NAME)), Hashing.sha256(got.resolve(Manifests.FILE_NAME)));
    assertEquals(m.outputs().size() + 1, countFiles(got), "no pad or extra files");
    assertTrue(requests.stream().anyMatch(q -> q.startsWith("/mirror/roads-1.2.0/")), "web seed was used: " + requests);
    assertTrue(requests.stream().anyMatch(q -> q.contains("bytes=")), "ranges were asked for: " + requests);
  }

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

  /** GET/HEAD with a single byte range (206) or none (200); 404 outside {@code root}. */
  private void serve(HttpExchange ex, Path root) throws IOException {
    try (ex) {
      String rel = URLDecoder.decode(ex.getRequestURI().getRawPath().substring("/mirror/".length()), StandardCharsets.UTF_8);
      Path f = root.resolve(rel).normalize();
      String range = ex.getRequestHeaders().getFirst("Range");
      requests.add(ex.getRequestURI().getRawPath() + " " + range);
      if (!f.startsWith(root) || !Files.isRegularFile(f)) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      long size = Files.size(f);
      long from = 0;
      long to = size - 1;
      int status = 200;
      if (range != null) {
        Matcher mm = RANGE.matcher(range.trim());
        if (!mm.matches() || Long.parseLong(mm.group(1)) >= size) {
          ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
          ex.sendResponseHeaders(416, -1);
          return;
        }
        from = Long.parseLong(mm.group(1));
        if (!mm.group(2).isEmpty()) to = Math.min(to, Long.parseLong(mm.group(2)));
        status = 206;
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
      }
      long length = to - from + 1;
      ex.getResponseHeaders().set("Accept-Ranges", "bytes");
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      if ("HEAD".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Content-Length", Long.toString(length));
        ex.sendResponseHeaders(status, -1);
        return;
      }
      ex.sendResponseHeaders(status, length == 0 ? -1 : length);
      try (FileChannel ch = FileChannel.open(f); OutputStream out = ex.getResponseBody()) {
        ch.transferTo(from, length, Channels.newChannel(out));
      }
    }
  }

  private static long countFiles(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

}
