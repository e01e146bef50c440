package org.d4c.seeder;

import org.d4c.testing.FaultServer;
import org.d4c.testing.Tools;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.d4c.seeder.disk.DiskProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smart mode on a small simulated network, every part real and in its own process: the seeder jar, five
 * python3-libtorrent peers each holding a known subset of pieces, three HTTP mirrors of which two start down; the
 * catalog is read over HTTP.
 *
 * <pre>
 *   alpha (62 pieces, h = 31): mirrors X1, X2 (down at first); peers P1 = [0,h), P2 = all, P3 = [h,62)
 *   gamma (31 pieces):         mirror Y (up);                  peers P4 = all, P5 = all
 * </pre>
 *
 * Copies elsewhere: alpha 2 everywhere, gamma 3. The budget takes about ten pieces, far fewer than either holds.
 * <ol>
 *   <li>The node holds alpha pieces only: the rarest.</li>
 *   <li>X1 and X2 recover and P5 leaves: alpha has 4 copies, gamma 2. The node frees its alpha pieces and holds
 *       gamma's (a held piece is freed only for one with at least two fewer copies: one fewer would be no gain).</li>
 *   <li>P2 and P3 leave, P6 and P7 join gamma: alpha [h,62) has 2 copies, gamma 4. The node holds alpha [h,62) pieces
 *       again.</li>
 *   <li>Another client, connected to the node alone, fetches every piece the node says it holds.</li>
 * </ol>
 * Throughout, the bytes the data folder really takes on disk ({@code du}, sampled every 200 ms) stay within the budget.
 */
class SmartModeIT {
  @TempDir Path tmp;

  /** Room for the seeder's own files (about 60 KiB here) and about ten 16 KiB pieces. */
  static final long BUDGET = 320L << 10;

  @Test
  void holdsTheRarestPiecesWithinItsBudgetAndReplansWhenMirrorsRecoverAndPeersLeave() throws Exception {
    Tools.require(Procs.hasPythonLibtorrent(), "python3-libtorrent is missing: apt-get install python3-libtorrent");
    Path root = Files.createDirectories(tmp.resolve("mirror"));
    Path catalog = root.resolve("catalog"); // read by the node over HTTP, from mirror Y
    Path data = tmp.resolve("data");
    List<Procs.Proc> procs = new ArrayList<>();
    try (FaultServer x1 = new FaultServer(root); FaultServer x2 = new FaultServer(root); FaultServer y = new FaultServer(root);
        DiskWatch disk = new DiskWatch(data)) {
      x1.fault(FaultServer.Fault.status(503));
      x2.fault(FaultServer.Fault.status(503));
      String yBase = y.base("127.0.0.1");
      Fixtures.Published alpha = Fixtures.publish(catalog, root, List.of(x1.base("127.0.0.1"), x2.base("127.0.0.1")), yBase, "alpha",
          "1.0.0", 1_000_000, 1);
      Fixtures.Published gamma = Fixtures.publish(catalog, root, List.of(yBase), yBase, "gamma", "1.0.0", 500_000, 3);
      int n = alpha.result().numPieces();
      int h = n / 2;
      assertEquals(62, n, "the scenario's piece counts");
      assertEquals(31, gamma.result().numPieces(), "the scenario's piece counts");

      // The peers keep dialling the node, as tracker re-announces would make them: freeing pieces drops connections.
      int nodePort = freePort();
      Procs.Proc p1 = hold(alpha, "p1", IntStream.range(0, h), nodePort, procs);
      Procs.Proc p2 = hold(alpha, "p2", IntStream.range(0, n), nodePort, procs);
      Procs.Proc p3 = hold(alpha, "p3", IntStream.range(h, n), nodePort, procs);
      hold(gamma, "p4", IntStream.range(0, 31), nodePort, procs);
      Procs.Proc p5 = hold(gamma, "p5", IntStream.range(0, 31), nodePort, procs);
      List<String> args = new ArrayList<>(List.of("--catalog", yBase + "catalog/", "--data", data.toString(), "--budget",
          Long.toString(BUDGET), "--mode", "smart", "--listen", "127.0.0.1:" + nodePort, "--status", "127.0.0.1:0", "--sync-interval", "1h",
          "--probe-interval", "2s", "--swarm-memory", "10s", "--reserve", "1M", "--dht-bootstrap", "none"));
      for (Procs.Proc p : procs) args.addAll(List.of("--peer", "127.0.0.1:" + p.await("port (\\d+)", 60)));
      Procs.Proc node = Procs.seeder(tmp.resolve("cache"), args);
      procs.add(node);
      int port = Integer.parseInt(node.await("listening on port (\\d+)", 60));
      int statusPort = Integer.parseInt(node.await("status on port (\\d+)", 10));

      // 1. Alpha is the rarest (2 copies against gamma's 3): the node holds alpha pieces only.
      JsonNode s = Procs.awaitStatus(statusPort, st -> settled(st, alpha, 8) && held(st, gamma) == 0
          && minCopies(st, alpha) == 2 && minCopies(st, gamma) == 3, 90, node);
      assertThat(ds(s, alpha).path("risk").path("healthy_mirrors").asInt(), org.hamcrest.Matchers.equalTo(0));
      assertEquals("127.0.0.1:" + nodePort, s.path("node").path("listen").asText());
      assertThat("the catalog came over HTTP", y.requestLines().stream().anyMatch(r -> r.startsWith("GET /mirror/catalog/")),
          org.hamcrest.Matchers.is(true));

      // 2. Alpha's two mirrors recover (4 copies) and P5 leaves (gamma 2): alpha's pieces are freed for gamma's.
      x1.fault(null);
      x2.fault(null);
      p5.close();
      s = Procs.awaitStatus(statusPort, st -> settled(st, gamma, 8) && held(st, alpha) == 0 && minCopies(st, alpha) == 4, 90, node);
      assertEquals(2, ds(s, alpha).path("risk").path("healthy_mirrors").asInt());

      // 3. P2 and P3 leave: alpha [h,62) has only its two mirrors; two more gamma peers come (4 copies). The node takes
      // those alpha pieces and frees gamma's.
      p2.close();
      p3.close();
      hold(gamma, "p6", IntStream.range(0, 31), nodePort, procs);
      hold(gamma, "p7", IntStream.range(0, 31), nodePort, procs);
      // Eventually, not at the first settled status: the node remembers departed peers for --swarm-memory (10 s), so
      // for a while P2's and P3's alpha pieces still look held by them.
      s = Procs.awaitStatus(statusPort, st -> settled(st, alpha, 8) && held(st, gamma) == 0
          && pieces(ds(st, alpha).path("held").asText()).stream().allMatch(i -> i >= h), 90, node);
      List<Integer> held = pieces(ds(s, alpha).path("held").asText());
      assertThat("only pieces of the rarer half", held.stream().allMatch(i -> i >= h), org.hamcrest.Matchers.is(true));

      // 4. Another client, connected to the node alone (no web seeds, P1 gone), fetches every piece the node holds.
      p1.close();
      Path out = Files.createDirectories(tmp.resolve("client"));
      String list = held.stream().map(String::valueOf).collect(Collectors.joining(","));
      try (Procs.Proc client = Procs.python(List.of("fetch", alpha.torrent().toString(), out.toString(), "--peer", "127.0.0.1:" + port,
          "--pieces", list, "--timeout", "60"))) {
        assertEquals(0, client.process.waitFor(), "client:\n" + client.output() + "\nnode:\n" + node.output());
        assertThat(client.output(), containsString("\"have\""));
      }

      // Two switches were asked for; a few more frees at the start (peers connect one by one) are fine, a plan that
      // follows every dropped connection is not.
      long frees = node.lines.stream().filter(l -> l.contains(" for rarer ones")).count();
      System.out.println("SmartModeIT: " + frees + " frees; " + disk.samples.get() + " disk samples, max " + disk.max.get());
      assertThat("the plan does not flap:\n" + node.output(), frees, lessThanOrEqualTo(10L));
      assertThat("bytes on disk were sampled", disk.samples.get(), greaterThan(20L));
      assertThat("real disk usage never exceeded the budget", disk.max.get(), lessThanOrEqualTo(BUDGET));
      assertThat("the node really holds pieces on disk", disk.last.get(), greaterThan(100_000L));
    } finally {
      for (Procs.Proc p : procs) p.close();
    }
  }

  /** A python3-libtorrent peer holding {@code pieces} of the dataset (the others zeroed on its disk). */
  private Procs.Proc hold(Fixtures.Published p, String name, IntStream pieces, int nodePort, List<Procs.Proc> procs) throws IOException {
    Path dir = tmp.resolve("peers").resolve(name);
    copyTree(p.build(), dir.resolve(p.result().name()));
    Procs.Proc proc = Procs.python(List.of("hold", p.torrent().toString(), dir.toString(), "--pieces",
        pieces.mapToObj(String::valueOf).collect(Collectors.joining(",")), "--peer", "127.0.0.1:" + nodePort));
    procs.add(proc);
    return proc;
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path f : s.toList()) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(t);
        else Files.copy(f, t);
      }
    }
  }

  static JsonNode ds(JsonNode status, Fixtures.Published p) {
    for (JsonNode d : status.path("datasets")) if (d.path("item_id").asText().equals(p.itemId())) return d;
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  static int held(JsonNode status, Fixtures.Published p) {
    return ds(status, p).path("pieces_held").asInt(-1);
  }

  static int minCopies(JsonNode status, Fixtures.Published p) {
    return ds(status, p).path("risk").path("min_copies").asInt(-1);
  }

  /** At least {@code atLeast} pieces held, exactly the planned ones, and nothing being checked. */
  static boolean settled(JsonNode status, Fixtures.Published p, int atLeast) {
    JsonNode d = ds(status, p);
    return d.path("pieces_held").asInt() >= atLeast && d.path("pieces_held").asInt() == d.path("pieces_planned").asInt()
        && !d.path("state").asText().equals("checking");
  }

  /** Parses the status's compact ranges ({@code 0-9,31}). */
  static List<Integer> pieces(String ranges) {
    List<Integer> out = new ArrayList<>();
    if (ranges.isEmpty()) return out;
    for (String r : ranges.split(",")) {
      String[] ab = r.split("-");
      int a = Integer.parseInt(ab[0]);
      int b = ab.length > 1 ? Integer.parseInt(ab[1]) : a;
      for (int i = a; i <= b; i++) out.add(i);
    }
    return out;
  }

  /** Samples the data folder's real disk usage every 200 ms: the largest value, the last one, how many samples. */
  static final class DiskWatch implements AutoCloseable {
    final AtomicLong max = new AtomicLong();
    final AtomicLong last = new AtomicLong();
    final AtomicLong samples = new AtomicLong();
    private final Thread thread;
    private volatile boolean stop;

    DiskWatch(Path dir) {
      thread = new Thread(() -> {
        while (!stop) {
          try {
            if (Files.isDirectory(dir)) {
              long used = DiskProbe.SYSTEM.usedBytes(dir);
              last.set(used);
              max.accumulateAndGet(used, Math::max);
              samples.incrementAndGet();
            }
            Thread.sleep(200);
          } catch (IOException e) {
            // a file vanished mid-walk; the next sample counts
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "disk-watch");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.interrupt();
      thread.join(5000);
    }
  }
}
