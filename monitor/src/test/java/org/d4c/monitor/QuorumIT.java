package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.d4c.catalog.status.State;
import org.d4c.core.net.HostPort;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.web.MonitorApi;
import org.d4c.monitor.web.MonitorServer;
import org.d4c.testing.FaultServer;
import org.d4c.testing.ProcessOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two monitors (sites "east" and "west", quorum 2) exchange signed results over HTTP: one site alone seeing wrong
 * bytes makes the location regional and keeps it routable; both seeing them make it corrupt.
 */
class QuorumIT {
  @TempDir Path tmp;

  @Test
  void twoSitesFormAQuorum() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(dir)) {
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("m", new AbstractMap.SimpleEntry<>(dir, mirror.base()));
      String item = Published.publish(catalog, mirrors, "lakes", "2.0.0", 100_000, 3).id();
      Path eastDir = tmp.resolve("east");
      Path westDir = tmp.resolve("west");
      Monitor east = null;
      Monitor west = null;
      MonitorServer eastServer = null;
      MonitorServer westServer = null;
      try {
        west = new Monitor(config(catalog, westDir, "west", List.of(), mirror));
        westServer = MonitorServer.start(new HostPort("127.0.0.1", 0), new MonitorApi(west));
        east = new Monitor(config(catalog, eastDir, "east", List.of(URI.create(westServer.origin() + "/")), mirror));
        eastServer = MonitorServer.start(new HostPort("127.0.0.1", 0), new MonitorApi(east));
        // Both publish their keys into the catalog's status-keys.json; east reads both.
        west.loadCatalog();
        east.loadCatalog();

        // Only east sees wrong bytes (west probed before the fault): regional, still routable.
        west.runRound();
        mirror.fault(FaultServer.Fault.corrupt());
        JsonNode s = east.runRound();
        assertThat(sites(s, item), hasEntry("east", "corrupt"));
        assertThat(sites(s, item), hasEntry("west", "verified"));
        assertThat(loc(s, item).path("state").asText(), is(State.REGIONAL.json()));
        assertThat(loc(s, item).path("routable").asBoolean(), is(true));

        // Both see them: the quorum calls it corrupt and routing drops it.
        west.runRound();
        s = east.runRound();
        assertThat(loc(s, item).path("state").asText(), is(State.CORRUPT.json()));
        assertThat(loc(s, item).path("routable").asBoolean(), is(false));
        assertThat(s.path("monitor").path("sites").size(), is(2));
      } finally {
        if (eastServer != null) eastServer.close();
        if (westServer != null) westServer.close();
        if (east != null) east.close();
        if (west != null) west.close();
      }
    }
  }

  /**
   * The same with the west site as its own process ({@code d4c monitor}, as an operator runs it elsewhere): its first
   * round, before the fault, says verified; restarted after the fault, its first round says corrupt; east, in this
   * JVM, pulls west's signed results over HTTP each time.
   */
  @Test
  void aMonitorInAnotherProcessCountsInTheQuorum() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(dir)) {
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("m", new AbstractMap.SimpleEntry<>(dir, mirror.base()));
      String item = Published.publish(catalog, mirrors, "lakes", "2.0.0", 100_000, 3).id();
      HttpClient http = HttpClient.newHttpClient();
      Process west = startWest(catalog, mirror, "127.0.0.1:0");
      try {
        String westOrigin = awaitRound(west, http, "verified");
        try (Monitor east = new Monitor(config(catalog, tmp.resolve("east"), "east", List.of(URI.create(westOrigin + "/")), mirror))) {
          east.loadCatalog(); // reads the key west put into status-keys.json
          mirror.fault(FaultServer.Fault.corrupt());
          JsonNode s = east.runRound();
          assertThat(sites(s, item), hasEntry("west", "verified"));
          assertThat(sites(s, item), hasEntry("east", "corrupt"));
          assertThat(loc(s, item).path("state").asText(), is(State.REGIONAL.json()));

          stop(west);
          west = startWest(catalog, mirror, westOrigin.substring("http://".length())); // the address east knows
          String again = awaitRound(west, http, "corrupt");
          s = east.runRound();
          assertThat("west moved to " + again, sites(s, item), hasEntry("west", "corrupt"));
          assertThat(loc(s, item).path("state").asText(), is(State.CORRUPT.json()));
          assertThat(loc(s, item).path("routable").asBoolean(), is(false));
        }
      } finally {
        stop(west);
      }
    }
  }

  private final StringBuffer westOut = new StringBuffer();

  private Process startWest(Path catalog, FaultServer mirror, String listen) throws Exception {
    String cp = Files.readString(Path.of(System.getProperty("monitor.test.classpath"))).trim() + java.io.File.pathSeparator
        + System.getProperty("monitor.classes");
    Path w = tmp.resolve("west");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", cp,
        "org.d4c.cli.D4c", "monitor", "--catalog", catalog.toString(), "--site", "west", "--quorum", "2", "--listen", listen,
        "--data", w.resolve("data").toString(), "--out", w.resolve("out").toString(), "--location", "m=" + mirror.base(),
        "--interval", "1h").redirectErrorStream(true).start();
    westOut.setLength(0);
    Thread reader = new Thread(() -> {
      try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
        for (String l; (l = r.readLine()) != null; ) westOut.append(l).append('\n');
      } catch (Exception e) {
        // the process ended
      }
    }, "west-output");
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  /** Waits for west's first round (its signed results served at /v1/site-results) and returns its origin. */
  private String awaitRound(Process west, HttpClient http, String expected) throws Exception {
    String origin = ProcessOutput.await(westOut, "Monitor west at (http://127\\.0\\.0\\.1:\\d+)/", 60);
    long end = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < end) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(origin + "/v1/site-results")).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        JsonNode doc = org.d4c.core.json.CanonicalJson.mapper().readTree(r.body());
        assertThat(r.body(), doc.path("results").get(0).path("state").asText(), is(expected));
        return origin;
      }
      if (!west.isAlive()) throw new AssertionError("the west monitor stopped:\n" + westOut);
      Thread.sleep(200);
    }
    throw new AssertionError("the west monitor finished no round in 60 s:\n" + westOut);
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
  }

  static MonitorConfig config(Path catalog, Path dir, String site, List<URI> peers, FaultServer mirror) {
    return new MonitorConfig(catalog.toString(), site, 2, peers, Map.of("m", mirror.base()), Map.of(), dir.resolve("data"), dir.resolve("out"),
        List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), MonitorIT.TEST_POLICY, Clock.systemUTC(), null, 100);
  }

  static JsonNode loc(JsonNode s, String item) {
    return s.path("items").get(0).path("locations").get(0);
  }

  static Map<String, String> sites(JsonNode s, String item) {
    Map<String, String> m = new java.util.TreeMap<>();
    loc(s, item).path("sites").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }
}
