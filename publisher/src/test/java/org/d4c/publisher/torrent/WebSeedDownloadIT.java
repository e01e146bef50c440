package org.d4c.publisher.torrent;

import org.d4c.testing.Tools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.publisher.mirror.FolderServer;
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

  FolderServer server;

  @BeforeAll
  static void installAria2() throws Exception {
    aria2c = org.d4c.publisher.Processes.which("aria2c");
    if (aria2c == null && "root".equals(System.getProperty("user.name"))) {
      org.d4c.publisher.Processes.run(List.of("apt-get", "install", "-y", "-q", "aria2"), 600);
      aria2c = org.d4c.publisher.Processes.which("aria2c");
    }
    Tools.require(aria2c != null, "aria2c is not installed and this is not root: run `apt-get install -y aria2` to run this test");
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
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

    server = FolderServer.start(mirror, "127.0.0.1", 0, "/mirror/");
    String base = server.url();

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
    List<String> requests = server.requests();
    assertTrue(requests.stream().anyMatch(q -> q.startsWith("GET /mirror/roads-1.2.0/")), "web seed was used: " + requests);
    assertTrue(requests.stream().anyMatch(q -> q.contains("bytes=")), "ranges were asked for: " + requests);
  }

  private static long countFiles(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

}
