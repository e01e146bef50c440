package org.d4c.seeder.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.d4c.core.io.Natives;
import org.d4c.seeder.plan.Planner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHT node id survives a restart although libtorrent does not know the node's external address when it starts
 * (it learns it only from the DHT nodes that answer): two real libtorrent sessions on loopback, the second bootstrapping
 * from the first, stopped and started again on its saved state.
 */
class DhtNodeIdIT {
  @TempDir Path tmp;

  private Config config(Path data, String bootstrap) {
    return Config.of(tmp.resolve("catalog").toString(), data, 1L << 30, Planner.Mode.SMART).withListen("127.0.0.1:0")
        .withDiscovery(new Discovery(true, bootstrap == null ? List.of() : List.of(bootstrap), List.of(), false, false, false,
            Discovery.DHT_ANNOUNCE));
  }

  private static String awaitId(TorrentSession s, int seconds) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      String id = s.dhtNodeId();
      if (id != null && s.dhtNodes() >= 1) return id;
      Thread.sleep(1000);
      System.out.println("DhtNodeIdIT: id " + id + ", " + s.dhtNodes() + " DHT nodes");
    }
    return null;
  }

  @Test
  void aRestartedNodeKeepsItsDhtNodeId() throws Exception {
    Natives.ensureLibtorrent();
    Path dataA = tmp.resolve("a");
    Path dataB = tmp.resolve("b");
    java.nio.file.Files.createDirectories(dataA.resolve(NodeState.DIR));
    java.nio.file.Files.createDirectories(dataB.resolve(NodeState.DIR));
    // The DHT node the others bootstrap from: python3-libtorrent (a second session in this JVM is not answered).
    int port;
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Process a = new ProcessBuilder("/usr/bin/python3", "-c", "import libtorrent as lt, time\n"
        + "s = lt.session({'listen_interfaces': '127.0.0.1:" + port + "', 'enable_dht': True, 'dht_bootstrap_nodes': '',"
        + " 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False})\n"
        + "time.sleep(300)\n").redirectErrorStream(true).start();
    try {
      String boot = "127.0.0.1:" + port;
      TorrentSession b = new TorrentSession(config(dataB, boot), NodeState.nodeId(dataB));
      b.start();
      String first = awaitId(b, 60);
      assertNotNull(first, "the node joined the DHT");
      b.saveSessionState();
      b.stop();

      TorrentSession again = new TorrentSession(config(dataB, boot), NodeState.nodeId(dataB));
      again.start();
      try {
        assertNotNull(awaitId(again, 60), "the restarted node joined the DHT");
        // libtorrent may first come up with a random id (no external address yet); the node puts its saved one back.
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String now = again.dhtNodeId();
        while (!first.equals(now) && System.nanoTime() < end) {
          again.keepDhtNodeId(); // what the node's loop does every minute
          Thread.sleep(3000);
          now = again.dhtNodeId();
        }
        assertEquals(first, now, "the DHT node id after the restart");
        System.out.println("DhtNodeIdIT: kept " + first + " (restarts of the DHT: " + again.dhtRestores() + ")");
      } finally {
        again.stop();
      }
    } finally {
      a.destroyForcibly();
    }
  }
}
