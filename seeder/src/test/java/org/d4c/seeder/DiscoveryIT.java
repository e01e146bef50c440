package org.d4c.seeder;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.testing.FaultServer;
import org.d4c.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a user's client finds a d4c dataset from its catalog magnet link alone, every part real and in its own process:
 * the seeder jar, Debian's opentracker, python3-libtorrent as the client. The client gets nothing but the magnet URI
 * (no .torrent, no {@code --peer}); where peers are meant, its web seeds are removed and the mirror is switched off.
 */
class DiscoveryIT {
  @TempDir Path tmp;

  @Test
  void aMagnetFindsTheSeederThroughATrackerAndGetsTheMetadataFromIt() throws Exception {
    Tools.require(Procs.hasPythonLibtorrent(), "python3-libtorrent is missing: apt-get install python3-libtorrent");
    Tools.require(OpenTracker.installed(), "opentracker is missing: apt-get install opentracker");
    int trackerPort = OpenTracker.freeTcpAndUdpPort();
    Path root = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(root)) {
      String base = mirror.base("127.0.0.1");
      Fixtures.Published p = Fixtures.publish(tmp.resolve("catalog"), root, List.of(base), base,
          List.of(OpenTracker.udpAnnounce(trackerPort)), "roads", "1.0.0", 2_000_000, 1);
      assertThat(p.magnet(), org.hamcrest.Matchers.containsString("&tr=udp%3a%2f%2f127.0.0.1%3a" + trackerPort));
      try (OpenTracker tracker = new OpenTracker(tmp.resolve("tracker"), trackerPort, List.of(p.result().infoHashV1()));
          Procs.Proc seeder = seeder(p, List.of("--no-dht"))) {
        awaitComplete(seeder, p);
        mirror.fault(FaultServer.Fault.status(503)); // from now on only the seeder has the bytes
        JsonNode r = magnet(p, "tracker", List.of(), seeder);
        // No .torrent, no --peer, no DHT, web seeds removed, mirror down: the metadata and every byte came from the
        // seeder, found through the tracker.
        assertThat("the client downloaded the dataset from a peer", r.path("downloaded").asLong() >= 2_000_000, is(true));
        assertSame(p);
        JsonNode st = Procs.awaitStatus(statusPort, s -> s.path("datasets").get(0).path("uploaded").asLong() >= 2_000_000, 20, seeder);
        assertThat(st.path("datasets").get(0).path("trackers").get(0).asText(), equalTo(OpenTracker.udpAnnounce(trackerPort)));
      }
    }
  }

  @Test
  void aMagnetFindsTheSeederThroughTheDhtAlone() throws Exception {
    Tools.require(Procs.hasPythonLibtorrent(), "python3-libtorrent is missing: apt-get install python3-libtorrent");
    Path root = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(root)) {
      String base = mirror.base("127.0.0.1");
      Fixtures.Published p = Fixtures.publish(tmp.resolve("catalog"), root, List.of(base), base, List.of(), "roads", "1.0.0",
          2_000_000, 2);
      // DHT on (the default), no bootstrap node: the client is the first to contact it.
      try (Procs.Proc seeder = seeder(p, List.of("--dht-bootstrap", "none", "--dht-announce-interval", "2s"))) {
        awaitComplete(seeder, p);
        mirror.fault(FaultServer.Fault.status(503));
        JsonNode r = magnet(p, "dht", List.of("--dht-bootstrap", "127.0.0.1:" + port(seeder)), seeder);
        // Through the DHT the seeder learns the client and dials it (2 MB on loopback take milliseconds: the client may
        // not even list the connection); with the web seeds gone and the mirror down, every byte came from the seeder.
        assertThat("the client downloaded the dataset from a peer", r.path("downloaded").asLong() >= 2_000_000, is(true));
        assertSame(p);
        JsonNode st = Procs.awaitStatus(statusPort, s -> s.path("datasets").get(0).path("uploaded").asLong() >= 2_000_000, 20, seeder);
        assertThat("the seeder uploaded the dataset", st.path("datasets").get(0).path("uploaded").asLong() >= 2_000_000, is(true));
        assertThat("the seeder is in the DHT", st.path("node").path("discovery").path("dht_nodes").asInt() >= 1, is(true));
      }
    }
  }

  @Test
  void aMagnetGivesTheTorrentThroughXsAndTheDataThroughWebSeedsWithoutAnyPeer() throws Exception {
    Tools.require(Procs.hasPythonLibtorrent(), "python3-libtorrent is missing: apt-get install python3-libtorrent");
    Path root = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(root); FaultServer torrents = new FaultServer(root)) {
      String base = mirror.base("127.0.0.1");
      Fixtures.Published p = Fixtures.publish(tmp.resolve("catalog"), root, List.of(base), torrents.base("127.0.0.1"), List.of(),
          "roads", "1.0.0", 2_000_000, 3);
      JsonNode r = magnet(p, "xs", List.of(), null);
      assertThat(peers(r), empty());
      assertThat(r.path("web_seeds").get(0).asText(), equalTo(base));
      assertThat("the .torrent came from its xs URL", torrents.requestLines().stream().anyMatch(q -> q.contains("/torrents/roads-1.0.0.torrent")),
          is(true));
      assertThat("the data came from the web seed", mirror.requestLines().stream().anyMatch(q -> q.contains("/roads-1.0.0/")), is(true));
      assertSame(p);
    }
  }

  // ---------------------------------------------------------------- helpers

  private Procs.Proc seeder(Fixtures.Published p, List<String> extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--catalog", tmp.resolve("catalog").toString(), "--data", tmp.resolve("data").toString(),
        "--budget", "1G", "--mode", "full", "--listen", "127.0.0.1:0", "--status", "127.0.0.1:0", "--sync-interval", "1h",
        "--reserve", "1M"));
    args.addAll(extra);
    return Procs.seeder(tmp.resolve("cache"), args);
  }

  private static int port(Procs.Proc seeder) throws InterruptedException {
    return Integer.parseInt(seeder.await("listening on port (\\d+)", 60));
  }

  private int statusPort = -1;

  private void awaitComplete(Procs.Proc seeder, Fixtures.Published p) throws Exception {
    port(seeder);
    int status = Integer.parseInt(seeder.await("status on port (\\d+)", 10));
    statusPort = status;
    Procs.awaitStatus(status, s -> s.path("datasets").size() == 1
        && s.path("datasets").get(0).path("pieces_held").asInt() == p.result().numPieces(), 90, seeder);
  }

  private JsonNode magnet(Fixtures.Published p, String via, List<String> extra, Procs.Proc seeder) throws Exception {
    List<String> args = new ArrayList<>(List.of("magnet", p.magnet(), Files.createDirectories(tmp.resolve("client")).toString(),
        "--via", via, "--timeout", "90"));
    args.addAll(extra);
    try (Procs.Proc client = Procs.python(args)) {
      int exit = client.process.waitFor();
      if (exit != 0 && statusPort > 0) System.out.println("seeder status: " + Procs.get("http://127.0.0.1:" + statusPort + "/status", null).body());
      assertEquals(0, exit, "client:\n" + client.output() + (seeder == null ? "" : "\nseeder:\n" + seeder.output()));
      String last = client.lines.get(client.lines.size() - 1);
      return new ObjectMapper().readTree(last);
    }
  }

  private static List<String> peers(JsonNode r) {
    List<String> out = new ArrayList<>();
    r.path("peers_seen").forEach(x -> out.add(x.asText()));
    return out;
  }

  /** Every file the client wrote has the manifest's sha256. */
  private void assertSame(Fixtures.Published p) {
    Manifest m = Manifests.read(p.build().resolve(Manifests.FILE_NAME));
    Path got = tmp.resolve("client").resolve(p.result().name());
    for (Manifest.OutputFile o : m.outputs()) assertEquals(o.sha256(), Hashing.sha256(got.resolve(o.path())), o.path());
    assertEquals(Hashing.sha256(p.build().resolve(Manifests.FILE_NAME)), Hashing.sha256(got.resolve(Manifests.FILE_NAME)));
  }
}
