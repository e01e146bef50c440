package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.d4c.core.net.HostPort;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.report.ReportLog;
import org.d4c.monitor.web.MonitorApi;
import org.d4c.monitor.web.MonitorServer;
import org.d4c.testing.FaultServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 reports in a minute's budget and 100 concurrent API clients: the monitor keeps answering, every accepted
 * report is in the store and in the log exactly once, and the log's chain verifies. Bounded: 1,000 reports, 100
 * clients x 20 requests, all on loopback.
 */
class LoadIT {
  @TempDir Path tmp;
  MonitorApi api;

  @Test
  void reportsAndClientsAtOnce() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(dir)) {
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("m", new AbstractMap.SimpleEntry<>(dir, mirror.base()));
      String item = Published.publish(catalog, mirrors, "lakes", "2.0.0", 100_000, 3).id();
      MonitorConfig cfg = new MonitorConfig(catalog.toString(), "local", 1, List.of(), Map.of("m", mirror.base()), Map.of(), tmp.resolve("data"),
          tmp.resolve("out"), List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), MonitorIT.TEST_POLICY, Clock.systemUTC(), null, 100_000);
      try (Monitor m = new Monitor(cfg); MonitorServer server = MonitorServer.start(new HostPort("127.0.0.1", 0),
          // The 100 clients share one address here; the server's per-address rate limit (500/s, which a fast machine
          // exceeds) would refuse some of them as it should refuse one client that sends this much.
          MonitorServer.limits().withRate(100_000, 100_000), api = new MonitorApi(m))) {
        m.loadCatalog();
        m.runRound();
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(16)).build();
        String o = server.origin();
        long t0 = System.nanoTime();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger apiOk = new AtomicInteger();
        Map<Integer, Integer> refused = new java.util.concurrent.ConcurrentSkipListMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(100);
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < 100; c++) {
          final int client = c;
          fs.add(pool.submit(() -> {
            for (int i = 0; i < 20; i++) {
              String path = switch (i % 4) { case 0 -> "/v1/status"; case 1 -> "/v1/items/" + item; case 2 -> "/v1/load"; default -> "/"; };
              int g = get(http, o + path);
              if (g == 200) apiOk.incrementAndGet();
              else refused.merge(g, 1, Integer::sum);
              if (i < 10) {
                String body = "{\"item\":\"" + item + "\",\"location\":\"m\",\"problem\":\"slow\",\"note\":\"client " + client + " #" + i + "\"}";
                int p = post(http, o + "/v1/reports", body);
                if (p == 202) accepted.incrementAndGet();
                else refused.merge(p, 1, Integer::sum);
              }
            }
            return null;
          }));
        }
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        // Timing is measured in bench/, not asserted here (a shared 2-core machine makes it noisy).
        System.out.printf("LoadIT: 1,000 reports and 2,000 API requests from 100 clients in %.1f s%n", seconds);
        System.out.printf("LoadIT: report log forced %d times in %.1f s (%.1f entries per fsync)%n", m.reportLog().syncs(),
            m.reportLog().syncSeconds(), m.reportLog().entries() / (double) Math.max(1, m.reportLog().syncs()));
        // Where the server's time went, per route (seconds; count, sum, max), for docs/benchmarks.md.
        for (String line : api.registry().scrape().split("\n")) {
          if (line.startsWith("d4c_monitor_http_seconds_") && !line.contains("bucket")) System.out.println("LoadIT: " + line);
        }
        assertThat("HTTP statuses other than 200/202: " + refused, accepted.get(), is(1000));
        assertThat(apiOk.get(), is(2000));
        m.awaitTriage(Duration.ofMinutes(2));
        assertThat(m.history().count("reports"), is(1000L));
        ReportLog.Verified v = ReportLog.verify(tmp.resolve("out").resolve(ReportLog.LOG));
        assertThat(v.entries(), is(2000L)); // each report and its verdict
        // The store and the log agree: the same 1,000 report ids, each logged once with one verdict, none pending.
        Map<String, String> stored = m.history().verdicts();
        Map<String, Integer> logged = new java.util.TreeMap<>();
        Map<String, String> loggedVerdicts = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(tmp.resolve("out").resolve(ReportLog.LOG))) {
          var e = org.d4c.core.json.CanonicalJson.mapper().readTree(line).path("entry");
          if (e.path("type").asText().equals("report")) logged.merge(e.path("id").asText(), 1, Integer::sum);
          else loggedVerdicts.put(e.path("report").asText(), e.path("verdict").asText());
        }
        assertThat(logged.size(), is(1000));
        assertThat(logged.values().stream().allMatch(n -> n == 1), is(true));
        assertThat(stored.keySet(), is(logged.keySet()));
        assertThat(stored, is(loggedVerdicts));
        // Triage of identical reports is cached: the mirror was asked far fewer times than there were reports.
        assertThat(mirror.requests().size(), lessThan(200));
        assertThat(get(http, o + "/v1/status"), is(200));
        assertThat(m.history().count("reports"), greaterThanOrEqualTo(1000L));
      }
    }
  }

  static int get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static int post(HttpClient http, String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
