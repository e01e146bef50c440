package org.d4c.monitor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.probe.Targets;
import org.d4c.testing.FaultServer;

/**
 * The cost of a probe round (bench/monitor-probe.sh): N datasets published on L loopback locations (one folder served
 * by L FaultServers, each its own port), one monitor; the time of the catalog load (torrents fetched once) and of R
 * rounds, and per location the bytes and requests of a round against the catalog's size (one copy of every file).
 *
 * <pre>java -cp ... org.d4c.monitor.ProbeBench N L R BLOB_BYTES WORKDIR</pre>
 */
public final class ProbeBench {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int l = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int blob = Integer.parseInt(args[3]);
    Path work = Path.of(args[4]);
    Path dir = Files.createDirectories(work.resolve("mirror"));
    Path catalog = Files.createDirectories(work.resolve("catalog"));
    List<FaultServer> servers = new ArrayList<>();
    try {
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      Map<String, String> prefixes = new TreeMap<>();
      for (int i = 0; i < l; i++) {
        FaultServer s = new FaultServer(dir);
        servers.add(s);
        String id = "loc" + (i + 1);
        mirrors.put(id, new AbstractMap.SimpleEntry<>(dir, s.base()));
        prefixes.put(id, s.base());
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) Published.publish(catalog, mirrors, String.format("ds%04d", i), "1.0.0", blob, i);
      System.out.printf("publish_s %.1f (%d datasets, %d locations)%n", (System.nanoTime() - t0) / 1e9, n, l);
      MonitorConfig cfg = new MonitorConfig(catalog.toString(), "bench", 1, List.of(), prefixes, Map.of(), work.resolve("data"),
          work.resolve("out"), List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), MonitorIT.TEST_POLICY, Clock.systemUTC(), null, 100);
      try (Monitor m = new Monitor(cfg)) {
        t0 = System.nanoTime();
        m.loadCatalog();
        System.out.printf("load_catalog_s %.2f (torrents fetched and parsed)%n", (System.nanoTime() - t0) / 1e9);
        long catalogBytes = 0;
        for (Targets.ItemTarget t : m.targets()) for (Targets.FileInfo f : t.files()) catalogBytes += f.size();
        System.out.printf("catalog_bytes %d (one copy of every file of %d items)%n", catalogBytes, m.targets().size());
        List<Double> times = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
          long a = System.nanoTime();
          m.runRound();
          double s = (System.nanoTime() - a) / 1e9;
          times.add(s);
          Map<String, long[]> per = new TreeMap<>();
          Map<String, Integer> states = new TreeMap<>();
          for (Prober.Result x : m.lastResults()) {
            long[] v = per.computeIfAbsent(x.location(), k -> new long[3]);
            v[0] += x.bytes();
            v[1] += x.requests();
            v[2]++;
            states.merge(String.valueOf(x.state()), 1, Integer::sum);
          }
          System.out.printf("round %d: %.2f s, %d probes, states %s, load %s%n", r, s, m.lastResults().size(), states, load());
          for (Map.Entry<String, long[]> e : per.entrySet()) {
            System.out.printf("  %s: %d bytes (%.3f %% of the catalog), %d requests, %d items%n", e.getKey(), e.getValue()[0],
                100.0 * e.getValue()[0] / catalogBytes, e.getValue()[1], e.getValue()[2]);
          }
        }
        List<Double> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        System.out.printf("round_s_median %.2f (rounds %s)%n", sorted.get(sorted.size() / 2), times);
      }
    } finally {
      servers.forEach(FaultServer::close);
    }
  }

  static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }
}
