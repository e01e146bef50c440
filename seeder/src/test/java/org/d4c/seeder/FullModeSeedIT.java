package org.d4c.seeder;

import org.d4c.testing.FaultServer;
import org.d4c.testing.Tools;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeder jar, in its own JVM, fetches a catalog dataset through its web seed, then seeds it to python3-libtorrent
 * (another process) connected directly, with the web seeds removed and the mirror switched off: the client's files
 * must match the manifest's sha256s. Also: the status API refuses a foreign Host header.
 */
class FullModeSeedIT {
  @TempDir Path tmp;

  @Test
  void seedsACatalogDatasetToAnIndependentClient() throws Exception {
    Tools.require(Procs.hasPythonLibtorrent(), "python3-libtorrent is missing: apt-get install python3-libtorrent");
    Path catalog = tmp.resolve("catalog");
    Path mirrorRoot = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(mirrorRoot)) {
      Fixtures.Published p = Fixtures.publish(catalog, mirrorRoot, mirror.base("127.0.0.1"), "roads", "1.0.0", 3_000_000, 1);
      try (Procs.Proc seeder = Procs.seeder(tmp.resolve("cache"), List.of("--catalog", catalog.toString(), "--data",
          tmp.resolve("data").toString(), "--budget", "1G", "--mode", "full", "--listen", "127.0.0.1:0", "--status",
          "127.0.0.1:0", "--sync-interval", "1h", "--reserve", "1M", "--dht-bootstrap", "none"))) {
        int port = Integer.parseInt(seeder.await("listening on port (\\d+)", 60));
        int statusPort = Integer.parseInt(seeder.await("status on port (\\d+)", 10));
        JsonNode st = Procs.awaitStatus(statusPort, s -> s.path("datasets").size() == 1
            && s.path("datasets").get(0).path("pieces_held").asInt() == p.result().numPieces(), 90, seeder);
        JsonNode d = st.path("datasets").get(0);
        assertEquals(p.itemId(), d.path("item_id").asText());
        assertEquals(p.result().infoHashV1(), d.path("infohash").asText());
        assertThat(st.path("node").path("id").asText().length(), equalTo(36));

        assertEquals(421, Procs.statusWithHost(statusPort, "evil.example:" + statusPort));
        assertEquals(200, Procs.statusWithHost(statusPort, "localhost:" + statusPort));

        mirror.fault(FaultServer.Fault.status(503)); // from now on, only the seeder has the bytes
        int before = mirror.requests().size();
        Path out = Files.createDirectories(tmp.resolve("client"));
        try (Procs.Proc client = Procs.python(List.of("fetch", p.torrent().toString(), out.toString(), "--peer", "127.0.0.1:" + port,
            "--timeout", "90"))) {
          assertEquals(0, client.process.waitFor(), "client output:\n" + client.output() + "\nseeder:\n" + seeder.output());
          assertThat(client.output(), org.hamcrest.Matchers.containsString("\"have\""));
        }
        Manifest m = Manifests.read(p.build().resolve(Manifests.FILE_NAME));
        Path got = out.resolve(p.result().name());
        for (Manifest.OutputFile o : m.outputs()) assertEquals(o.sha256(), Hashing.sha256(got.resolve(o.path())), o.path());
        assertEquals(Hashing.sha256(p.build().resolve(Manifests.FILE_NAME)), Hashing.sha256(got.resolve(Manifests.FILE_NAME)));
        assertThat("the client did not use the mirror", mirror.requestLines().subList(before, mirror.requests().size()).stream()
            .filter(r -> r.contains("/roads-1.0.0/")).count(), equalTo(0L));
        JsonNode after = Procs.awaitStatus(statusPort, s -> s.path("datasets").get(0).path("uploaded").asLong() >= 3_000_000, 20, seeder);
        assertThat(after.path("datasets").get(0).path("uploaded").asLong(), greaterThan(0L));
      }
    }
  }
}
