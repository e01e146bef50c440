package org.d4c.seeder.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.d4c.core.io.Natives;
import org.d4c.seeder.Procs;
import org.d4c.seeder.plan.Planner;
import org.d4c.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHT node id survives a restart although libtorrent does not know the node's external address when it starts
 * (it learns it only from the DHT nodes that answer, and until then picks a random id): a real libtorrent session on
 * loopback, stopped and started again on its saved state, each time joined by a python3-libtorrent DHT node that
 * bootstraps from it.
 */
class DhtNodeIdIT {
  @TempDir Path tmp;

  private Config config(Path data) {
    return Config.of(tmp.resolve("catalog").toString(), data, 1L << 30, Planner.Mode.SMART).withListen("127.0.0.1:0")
        .withDiscovery(new Discovery(true, List.of(), List.of(), false, false, false, Discovery.DHT_ANNOUNCE));
  }

  /** A DHT node (python3-libtorrent) that bootstraps from {@code port} on loopback and stays for two minutes. */
  private static Process dhtPeer(int port) throws java.io.IOException {
    return new ProcessBuilder(Procs.PYTHON, "-c", "import libtorrent as lt, time\n"
        + "s = lt.session({'listen_interfaces': '127.0.0.1:0', 'enable_dht': True, 'dht_bootstrap_nodes': '127.0.0.1:" + port
        + "', 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False})\n"
        + "time.sleep(120)\n").redirectErrorStream(true).start();
  }

  private static String awaitId(TorrentSession s, int seconds) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      String id = s.dhtNodeId();
      if (id != null && s.dhtKnowsNodes()) return id;
      Thread.sleep(500);
    }
    return null;
  }

  @Test
  void aRestartedNodeKeepsItsDhtNodeId() throws Exception {
    Tools.require(Procs.hasPythonLibtorrent(), "python3-libtorrent is missing: apt-get install python3-libtorrent");
    Natives.ensureLibtorrent();
    Path data = tmp.resolve("node");
    Files.createDirectories(data.resolve(NodeState.DIR));
    String first;
    TorrentSession s = new TorrentSession(config(data), NodeState.nodeId(data));
    s.start();
    Process peer = dhtPeer(s.listenPort());
    try {
      first = awaitId(s, 60);
      assertNotNull(first, "the node joined the DHT");
      s.saveSessionState();
    } finally {
      peer.destroyForcibly();
      s.stop();
    }
    assertEquals(first, TorrentSession.nodeIdOf(Files.readAllBytes(data.resolve(NodeState.DIR).resolve(TorrentSession.SESSION_STATE))));

    TorrentSession again = new TorrentSession(config(data), NodeState.nodeId(data));
    again.start();
    peer = dhtPeer(again.listenPort());
    try {
      assertNotNull(awaitId(again, 60), "the restarted node joined the DHT");
      // What the node's loop does every minute: put the saved id back, and save only once it is back.
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      String now = again.dhtNodeId();
      while (!first.equals(now) && System.nanoTime() < end) {
        again.saveSessionState();
        Thread.sleep(3000);
        now = again.dhtNodeId();
      }
      assertEquals(first, now, "the DHT node id after the restart");
      again.saveSessionState();
      assertEquals(first, TorrentSession.nodeIdOf(Files.readAllBytes(data.resolve(NodeState.DIR).resolve(TorrentSession.SESSION_STATE))));
      System.out.println("DhtNodeIdIT: kept " + first + " (DHT restarts: " + again.dhtRestores() + ")");
    } finally {
      peer.destroyForcibly();
      again.stop();
    }
    assertNotEquals(null, first);
  }
}
