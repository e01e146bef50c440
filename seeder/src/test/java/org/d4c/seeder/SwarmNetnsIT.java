package org.d4c.seeder;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.junit.jupiter.api.Assumptions;
import org.d4c.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smart Nodes on a network: every host in its own network namespace with its own address (a bridge and veth pairs the
 * test makes), every part a real process — three seeder jars in smart mode, Debian's opentracker and two HTTP mirrors
 * on the bridge, python3-libtorrent as the user's client. The nodes find each other through the tracker (DHT and PEX
 * on too); each has a budget of about a third of the catalog, so together they cover it only when the holders of a
 * piece agree which of them frees it (the planner's holders' agreement). Both mirrors go down, one after the other; a
 * client that has only the catalog's magnet links still gets every dataset, from the nodes alone.
 */
// Serves the mirrors with the seeder tests' own MirrorServer: it binds the bridge address, FaultServer only loopback.
class SwarmNetnsIT {
  @TempDir Path tmp;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void threeSmartNodesKeepTheCatalogAliveWhenBothMirrorsGoDown() throws Exception {
    Tools.require(Procs.hasPythonLibtorrent(), "python3-libtorrent is missing: apt-get install python3-libtorrent");
    Tools.require(OpenTracker.installed(), "opentracker is missing: apt-get install opentracker");
    String why = NetNs.unavailable();
    if (why != null && why.contains("missing")) Tools.require(false, why);
    Assumptions.assumeTrue(why == null, "skipped: " + why);

    List<Procs.Proc> procs = new ArrayList<>();
    NetNs net = NetNs.create(4);
    try {
      String host = net.hostAddress();
      Path root = Files.createDirectories(tmp.resolve("mirror"));
      Path catalog = tmp.resolve("catalog");
      try (MirrorServer m1 = new MirrorServer(root, host); MirrorServer m2 = new MirrorServer(root, host)) {
        int trackerPort = OpenTracker.freeTcpAndUdpPort();
        String tracker = "http://" + host + ":" + trackerPort + "/announce";
        List<String> seeds = List.of(m1.base(host), m2.base(host));
        List<Fixtures.Published> ds = new ArrayList<>();
        int[] sizes = {600_000, 400_000, 300_000};
        for (int i = 0; i < sizes.length; i++) {
          ds.add(Fixtures.publish(catalog, root, seeds, m1.base(host), List.of(tracker), "set" + i, "1.0.0", sizes[i], 10 + i));
        }
        // A third of what the catalog takes in the planner's terms (16 KiB pieces cost 24 KiB: partial blocks at file
        // edges are counted), plus a fifth for slack and the seeder's own files.
        long cost = 0;
        for (Fixtures.Published p : ds) cost += (long) p.result().numPieces() * (16 << 10) * 3 / 2;
        long budget = cost / 3 * 6 / 5 + (96 << 10);
        try (OpenTracker t = new OpenTracker(tmp.resolve("tracker"), host, trackerPort, ds.stream().map(p -> p.result().infoHashV1()).toList())) {
          int[] status = new int[3];
          for (int i = 0; i < 3; i++) {
            List<String> args = new ArrayList<>(List.of("--catalog", catalog.toString(), "--data", tmp.resolve("node" + i).toString(),
                "--budget", Long.toString(budget), "--mode", "smart", "--listen", net.address(i) + ":6881", "--status",
                net.address(i) + ":0", "--sync-interval", "1h", "--probe-interval", "2s", "--swarm-memory", "60s", "--reserve", "1M",
                "--dht-bootstrap", i == 0 ? "none" : net.address(0) + ":6881"));
            Procs.Proc node = Procs.seederIn(net.name(i), tmp.resolve("cache"), args);
            procs.add(node);
            status[i] = Integer.parseInt(node.await("status on port (\\d+)", 90));
          }
          // 1. Mirrors up: together the nodes come to hold every piece of every dataset.
          awaitUnion(net, status, ds, 240, procs, "every piece on some node while the mirrors are up");
          // 2. One mirror down, then the other: the nodes keep every piece among them.
          m1.down = true;
          awaitMirrors(net, status, 1, procs);
          // Mirrors are probed per dataset at different moments: for a while one dataset looks rarer than the others
          // and nodes may free pieces of the others, which they fetch back from the mirror left. Once they hold every
          // piece again, that mirror goes down too.
          awaitUnion(net, status, ds, 120, procs, "every piece on some node again with one mirror left");
          m2.down = true;
          awaitMirrors(net, status, 0, procs);
          awaitUnion(net, status, ds, 60, procs, "every piece on some node with both mirrors down");
          // 3. A client with only the magnet links (tracker; web seeds removed; both mirrors down anyway) gets everything.
          for (Fixtures.Published p : ds) {
            Path out = Files.createDirectories(tmp.resolve("client").resolve(p.itemId()));
            try (Procs.Proc client = Procs.pythonIn(net.name(3), List.of("magnet", p.magnet(), out.toString(), "--via", "tracker",
                "--listen", net.address(3) + ":0", "--timeout", "120"))) {
              assertEquals(0, client.process.waitFor(), p.itemId() + " client:\n" + client.output() + "\nnodes:\n" + outputs(procs));
              JsonNode r = new ObjectMapper().readTree(client.lines.get(client.lines.size() - 1));
              assertThat(r.path("done").asBoolean(), is(true));
            }
            Manifest m = Manifests.read(p.build().resolve(Manifests.FILE_NAME));
            for (Manifest.OutputFile o : m.outputs()) {
              assertEquals(o.sha256(), Hashing.sha256(out.resolve(p.result().name()).resolve(o.path())), p.itemId() + " " + o.path());
            }
          }
          System.out.println("SwarmNetnsIT: budget " + budget + " bytes per node for " + cost + " bytes of planned cost");
        }
      }
    } finally {
      for (Procs.Proc p : procs) p.close(); // before the namespaces go: a namespace with processes in it stays
      net.close();
    }
  }

  private static String outputs(List<Procs.Proc> procs) {
    StringBuilder sb = new StringBuilder();
    for (Procs.Proc p : procs) {
      List<String> l = p.lines;
      sb.append("---\n").append(String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()))).append('\n');
    }
    return sb.toString();
  }

  private static JsonNode status(NetNs net, int i, int port) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + net.address(i) + ":" + port + "/status"))
        .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(r.body());
  }

  /** Waits until the union of the pieces the three nodes hold covers every dataset. */
  private static void awaitUnion(NetNs net, int[] ports, List<Fixtures.Published> ds, int seconds, List<Procs.Proc> procs, String what)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Map<String, BitSet> union = new TreeMap<>();
    while (System.nanoTime() < end) {
      union.clear();
      for (int i = 0; i < ports.length; i++) {
        try {
          for (JsonNode d : status(net, i, ports[i]).path("datasets")) {
            BitSet b = union.computeIfAbsent(d.path("item_id").asText(), k -> new BitSet());
            for (int piece : SmartModeIT.pieces(d.path("held").asText())) b.set(piece);
          }
        } catch (java.io.IOException e) {
          // not up yet
        }
      }
      boolean all = true;
      for (Fixtures.Published p : ds) all &= union.getOrDefault(p.itemId(), new BitSet()).cardinality() == p.result().numPieces();
      if (all) return;
      Thread.sleep(500);
    }
    StringBuilder sb = new StringBuilder();
    for (Fixtures.Published p : ds) {
      sb.append(p.itemId()).append(": ").append(union.getOrDefault(p.itemId(), new BitSet()).cardinality()).append(" of ")
          .append(p.result().numPieces()).append("; ");
    }
    throw new AssertionError(what + " not reached in " + seconds + " s: " + sb + "\n" + outputs(procs));
  }

  /** Waits until every node sees {@code healthy} healthy mirrors for every dataset. */
  private static void awaitMirrors(NetNs net, int[] ports, int healthy, List<Procs.Proc> procs) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      boolean ok = true;
      for (int i = 0; i < ports.length; i++) {
        for (JsonNode d : status(net, i, ports[i]).path("datasets")) ok &= d.path("risk").path("healthy_mirrors").asInt() == healthy;
      }
      if (ok) return;
      Thread.sleep(500);
    }
    throw new AssertionError("the nodes never saw " + healthy + " healthy mirrors\n" + outputs(procs));
  }
}
