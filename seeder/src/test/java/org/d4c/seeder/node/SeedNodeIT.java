package org.d4c.seeder.node;

import org.d4c.core.io.Natives;
import org.d4c.testing.FaultServer;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.d4c.core.hash.Hashing;
import org.d4c.seeder.Fixtures;
import org.d4c.seeder.disk.DiskProbe;
import org.d4c.seeder.plan.Planner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Robustness of a real node (libtorrent session, web seed on loopback) in this JVM. */
class SeedNodeIT {
  @TempDir Path tmp;

  @BeforeAll
  static void natives() {
    Natives.ensureLibtorrent();
  }

  /** Free space the test controls; usage measured for real. */
  static final class FakeFree implements DiskProbe {
    volatile long free = 1L << 40;

    @Override
    public long usedBytes(Path dir) throws IOException {
      return DiskProbe.SYSTEM.usedBytes(dir);
    }

    @Override
    public long freeBytes(Path dir) {
      return free;
    }
  }

  Config config(Path catalog, Path data, long budget, Planner.Mode mode, DiskProbe disk) {
    return Config.of(catalog.toString(), data, budget, mode).withListen("127.0.0.1:0")
        .withIntervals(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(7)).withReserve(1 << 20).withDisk(disk)
        // DHT on, but no bootstrap node: nothing leaves loopback.
        .withDiscovery(new Discovery(true, java.util.List.of(), java.util.List.of(), true, false, false, Discovery.DHT_ANNOUNCE));
  }

  static JsonNode await(SeedNode n, Predicate<JsonNode> p, int seconds) throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      JsonNode s = n.status();
      if (s.has("datasets") && p.test(s)) return s;
      Thread.sleep(100);
    }
    throw new AssertionError("status never matched: " + n.status().toPrettyString());
  }

  static JsonNode ds(JsonNode s, String itemId) {
    for (JsonNode d : s.path("datasets")) if (d.path("item_id").asText().equals(itemId)) return d;
    return null;
  }

  static boolean complete(JsonNode s, String itemId) {
    JsonNode d = ds(s, itemId);
    return d != null && d.path("pieces_held").asInt() == d.path("pieces_total").asInt() && !d.path("state").asText().equals("checking");
  }

  @Test

  void survivesRestartRechecksCorruptPiecesAndKeepsTheLastGoodCatalog() throws Exception {
    Path catalog = tmp.resolve("catalog");
    Path root = Files.createDirectories(tmp.resolve("mirror"));
    Path data = tmp.resolve("data");
    FakeFree disk = new FakeFree();
    try (FaultServer m = new FaultServer(root)) {
      Fixtures.Published a = Fixtures.publish(catalog, root, m.base("127.0.0.1"), "alpha", "1.0.0", 1_000_000, 1);
      byte[] onlyA = Files.readAllBytes(catalog.resolve("catalog.parquet"));
      String nodeId;
      String dhtId;
      try (SeedNode n = new SeedNode(config(catalog, data, 1L << 30, Planner.Mode.FULL, disk)).start()) {
        nodeId = n.nodeId();
        JsonNode first = await(n, s -> complete(s, a.itemId()) && s.path("node").path("discovery").path("dht_node_id").isTextual(), 60);
        dhtId = first.path("node").path("discovery").path("dht_node_id").asText();
        assertThat(dhtId.length(), org.hamcrest.Matchers.equalTo(40));

        // A corrupted piece on disk: the recheck finds it and it is fetched again.
        Path blob = data.resolve("torrents").resolve(a.result().infoHashV1()).resolve(a.result().name()).resolve("extra/blob.bin");
        String good = Hashing.sha256(blob);
        int before = m.requests().size();
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
          f.seek(100_000);
          f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        assertFalse(good.equals(Hashing.sha256(blob)));
        n.recheckSoon();
        Thread.sleep(1500);
        await(n, s -> complete(s, a.itemId()), 60);
        assertEquals(good, Hashing.sha256(blob), "the corrupted piece was fetched again");
        assertThat("the mirror was asked again", m.requests().size(), greaterThan(before));

        // The catalog becomes unreadable: the last good one stays, the error is reported.
        Path parquet = catalog.resolve("catalog.parquet");
        byte[] saved = Files.readAllBytes(parquet);
        Files.write(parquet, "not parquet".getBytes());
        n.syncSoon();
        JsonNode s = await(n, x -> !x.path("catalog").path("error").isNull(), 30);
        assertThat(s.path("catalog").path("error").asText(), containsString("catalog.parquet"));
        assertTrue(complete(s, a.itemId()), "the dataset is still served");
        Files.write(parquet, saved);
        assertTrue(java.util.Arrays.equals(saved, onlyA));

      }

      // Restart with every mirror down: the node keeps its identity, its pieces (found on disk) and its plan.
      m.fault(FaultServer.Fault.status(503));
      try (SeedNode n = new SeedNode(config(catalog, data, 1L << 30, Planner.Mode.FULL, disk)).start()) {
        assertEquals(nodeId, n.nodeId());
        JsonNode s = await(n, x -> complete(x, a.itemId()) && x.path("datasets").size() == 1
            && x.path("node").path("discovery").path("dht_node_id").isTextual(), 60);
        // The DHT state (node id, routing table) was saved and handed back to libtorrent. libtorrent keeps the saved id
        // only when it knows its external address at start (a node bound to its public address); here, on loopback, it
        // picks a new random one (BEP 42 ties ids to the external address).
        byte[] saved = Files.readAllBytes(data.resolve(".d4c-seeder/session.dat"));
        assertThat(new String(saved, java.nio.charset.StandardCharsets.ISO_8859_1), containsString("9:dht state"));
        assertThat(new String(saved, java.nio.charset.StandardCharsets.ISO_8859_1), containsString("7:node-id"));
        assertThat(s.path("node").path("discovery").path("dht_node_id").asText().length(), org.hamcrest.Matchers.equalTo(40));
        assertThat(dhtId.length(), org.hamcrest.Matchers.equalTo(40));
        assertEquals(ds(s, a.itemId()).path("pieces_total").asInt(), ds(s, a.itemId()).path("pieces_planned").asInt());
        assertTrue(Files.isRegularFile(data.resolve(".d4c-seeder/state.json")));
      }
    }
  }

  @Test

  void aFullDiskStopsNewDownloadsKeepsWhatIsHeldAndADatasetLeavingTheCatalogIsDropped() throws Exception {
    Path catalog = tmp.resolve("catalog");
    Path root = Files.createDirectories(tmp.resolve("mirror"));
    Path data = tmp.resolve("data");
    FakeFree disk = new FakeFree();
    try (FaultServer m = new FaultServer(root)) {
      Fixtures.Published a = Fixtures.publish(catalog, root, m.base("127.0.0.1"), "alpha", "1.0.0", 1_000_000, 1);
      byte[] onlyA = Files.readAllBytes(catalog.resolve("catalog.parquet"));
      Fixtures.Published b = Fixtures.publish(catalog, root, m.base("127.0.0.1"), "beta", "1.0.0", 500_000, 2);
      byte[] both = Files.readAllBytes(catalog.resolve("catalog.parquet"));
      Files.write(catalog.resolve("catalog.parquet"), onlyA);
      Path parquet = catalog.resolve("catalog.parquet");
      try (SeedNode n = new SeedNode(config(catalog, data, 1L << 30, Planner.Mode.FULL, disk)).start()) {
        await(n, s -> complete(s, a.itemId()), 60);
        JsonNode s;
        // The disk is full: a new dataset is not downloaded, what is held stays.
        disk.free = 0;
        Files.write(parquet, both);
        n.syncSoon();
        s = await(n, x -> ds(x, b.itemId()) != null && !x.path("budget").path("downloads_stopped").isNull(), 30);
        assertThat(s.path("budget").path("downloads_stopped").asText(), containsString("disk almost full"));
        Thread.sleep(3000);
        s = n.status();
        assertEquals(0, ds(s, b.itemId()).path("pieces_held").asInt(), "nothing new was fetched on a full disk");
        assertTrue(complete(s, a.itemId()), "what was held is kept");
        disk.free = 1L << 40;
        await(n, x -> complete(x, b.itemId()), 60);

        // beta leaves the catalog: dropped from the session, its files deleted; alpha stays.
        Path betaFiles = data.resolve("torrents").resolve(b.result().infoHashV1());
        assertTrue(Files.isDirectory(betaFiles));
        Files.write(parquet, onlyA);
        n.syncSoon();
        s = await(n, x -> x.path("datasets").size() == 1 && complete(x, a.itemId()), 30);
        assertEquals(a.itemId(), s.path("datasets").get(0).path("item_id").asText());
        // libtorrent lets go of the files on its own thread; the node deletes the folder once it can.
        long until = System.nanoTime() + 30_000_000_000L;
        while (Files.exists(betaFiles) && System.nanoTime() < until) Thread.sleep(100);
        assertFalse(Files.exists(betaFiles), "the dropped dataset's files are deleted");
        assertTrue(complete(n.status(), a.itemId()), "alpha is still served");
      }
    }
  }
}
