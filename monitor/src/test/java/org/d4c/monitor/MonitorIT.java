package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

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
import java.util.concurrent.TimeUnit;
import org.d4c.catalog.status.State;
import org.d4c.catalog.status.StatusDocument;
import org.d4c.catalog.status.StatusKeys;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.net.AddressPolicy;
import org.d4c.core.net.HostPort;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.report.ReportLog;
import org.d4c.monitor.web.MonitorApi;
import org.d4c.monitor.web.MonitorServer;
import org.d4c.testing.FaultServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One monitor against two real HTTP mirrors on loopback (the shared FaultServer): every fault switch gives the state
 * the status page promises; status.json is signed and passes its schema; the API, metrics and reports work; a
 * confirmed report holds the location out until a probe clears it; the report log's chain and checkpoint verify;
 * headless Chromium shows the states and leaves a screenshot under target/.
 */
class MonitorIT {
  /** Loopback 127.0.0.1 plays a public mirror; every other non-public address stays private (SSRF checks apply). */
  static final AddressPolicy TEST_POLICY = (host, a) -> host.equals("127.0.0.1") || AddressPolicy.isPublicAddress(a);

  @TempDir Path tmp;
  FaultServer a;
  FaultServer b;
  Path catalog;
  Published.Item item;

  @BeforeEach
  void publish() throws Exception {
    Path ma = Files.createDirectories(tmp.resolve("mirror-a"));
    Path mb = Files.createDirectories(tmp.resolve("mirror-b"));
    a = new FaultServer(ma);
    b = new FaultServer(mb);
    catalog = Files.createDirectories(tmp.resolve("catalog"));
    Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
    mirrors.put("a", new AbstractMap.SimpleEntry<>(ma, a.base()));
    mirrors.put("b", new AbstractMap.SimpleEntry<>(mb, b.base()));
    item = Published.publish(catalog, mirrors, "roads", "1.0.0", 300_000, 7);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  MonitorConfig config(Path catalog, Path dir, String site, int quorum, List<URI> peers) {
    // The primary href's mirror id is not in the catalog: the operator names it by its URL prefix.
    return new MonitorConfig(catalog.toString(), site, quorum, peers, Map.of("a", a.base()), Map.of(), dir.resolve("data-" + site), dir.resolve("out-" + site),
        List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), TEST_POLICY, Clock.systemUTC(), null, 10_000);
  }

  static State state(JsonNode status, String item, String location) {
    for (JsonNode i : status.path("items")) {
      if (!i.path("id").asText().equals(item)) continue;
      for (JsonNode l : i.path("locations")) if (l.path("location").asText().equals(location)) return State.of(l.path("state").asText());
    }
    throw new AssertionError("no " + item + " at " + location + " in " + status);
  }

  static String detail(JsonNode status, String item, String location) {
    for (JsonNode i : status.path("items")) {
      for (JsonNode l : i.path("locations")) if (i.path("id").asText().equals(item) && l.path("location").asText().equals(location)) return l.path("detail").asText();
    }
    return "";
  }

  @Test
  void everyFaultGivesItsState() throws Exception {
    try (Monitor m = new Monitor(config(catalog, tmp, "local", 1, List.of()))) {
      m.loadCatalog();
      JsonNode s = m.runRound();
      assertThat(state(s, item.id(), "a"), is(State.VERIFIED));
      assertThat(state(s, item.id(), "b"), is(State.VERIFIED));
      assertThat(detail(s, item.id(), "a"), containsString("verified (SHA-1)"));

      // The signed document passes its schema and the signature checks against the key published in the catalog.
      StatusDocument doc = StatusDocument.parse(Files.readAllBytes(tmp.resolve("out-local").resolve(StatusDocument.FILE)));
      assertThat(doc.verify(StatusKeys.read(catalog.resolve(StatusKeys.FILE))), is(true));
      assertThat(doc.routable(item.id()).size(), is(2));

      Map<FaultServer.Fault, State> cases = new LinkedHashMap<>();
      cases.put(FaultServer.Fault.down(), State.DOWN);
      cases.put(FaultServer.Fault.status(500), State.DOWN);
      cases.put(FaultServer.Fault.status(404), State.STALE);
      cases.put(FaultServer.Fault.shortRead(10), State.DOWN);
      cases.put(FaultServer.Fault.corrupt(), State.CORRUPT);
      cases.put(FaultServer.Fault.slow(50_000), State.SLOW);
      cases.put(FaultServer.Fault.redirect(b.base("127.0.0.2")), State.DOWN);
      for (Map.Entry<FaultServer.Fault, State> c : cases.entrySet()) {
        b.clear().fault(c.getKey());
        s = m.runRound();
        assertThat(c.getKey() + ": " + detail(s, item.id(), "b"), state(s, item.id(), "b"), is(c.getValue()));
        assertThat(c.getKey() + " leaves a alone", state(s, item.id(), "a"), is(State.VERIFIED));
        if (c.getValue() != State.SLOW) assertThat(StatusDocument.parse(CanonicalJson.toBytes(s)).routable(item.id()).size(), is(1));
      }
      assertThat(detail(s, item.id(), "b"), containsString("refused redirect"));

      // 429 with Retry-After: the location keeps its last state and is not asked again until then.
      b.clear().fault(FaultServer.Fault.tooMany(120));
      m.runRound();
      int asked = b.requests().size();
      s = m.runRound();
      assertThat(b.requests().size(), is(asked));
      assertThat(detail(s, item.id(), "b"), containsString("refused redirect"));
      assertThat(m.history().count("probes"), greaterThan(10L));
    }
  }

  @Test
  void apiReportsAndDashboard() throws Exception {
    try (Monitor m = new Monitor(config(catalog, tmp, "local", 1, List.of()));
        MonitorServer server = MonitorServer.start(new HostPort("127.0.0.1", 0), new MonitorApi(m))) {
      m.loadCatalog();
      m.runRound();
      HttpClient http = HttpClient.newHttpClient();
      String o = server.origin();
      assertThat(get(http, o + "/v1/status").statusCode(), is(200));
      assertThat(get(http, o + "/v1/items/" + item.id()).body(), containsString("\"verified\""));
      assertThat(get(http, o + "/v1/locations/b").body(), containsString("item_states"));
      assertThat(get(http, o + "/v1/locations/nowhere").statusCode(), is(404));
      assertThat(get(http, o + "/v1/load?location=a&bytes=200G").body(), containsString("best_window"));
      assertThat(get(http, o + "/metrics").body(), containsString("d4c_monitor_round"));

      // A report about a location the catalog does not name: 400, and no request goes anywhere.
      int before = a.requests().size() + b.requests().size();
      HttpResponse<String> bad = post(http, o + "/v1/reports", "{\"item\":\"" + item.id() + "\",\"location\":\"evil\",\"problem\":\"corrupt\"}");
      assertThat(bad.statusCode(), is(400));
      assertThat(bad.body(), containsString("does not serve"));
      assertThat(post(http, o + "/v1/reports", "{\"item\":\"nope\",\"location\":\"a\",\"problem\":\"down\"}").body(), containsString("not in the catalog"));
      assertThat(post(http, o + "/v1/reports", "{\"item\":\"" + item.id() + "\",\"location\":\"a\",\"problem\":\"down\",\"url\":\"http://10.0.0.1/\"}").body(),
          containsString("unknown field url"));
      assertThat(post(http, o + "/v1/reports", "not json").statusCode(), is(400));
      m.awaitTriage(Duration.ofSeconds(10));
      assertThat(a.requests().size() + b.requests().size(), is(before));

      // A real problem: b serves wrong bytes. The report is confirmed, b leaves routing, an incident opens.
      b.clear().fault(FaultServer.Fault.corrupt());
      HttpResponse<String> ok = post(http, o + "/v1/reports", "{\"item\":\"" + item.id() + "\",\"location\":\"b\",\"problem\":\"corrupt\","
          + "\"file\":\"extra/blob.bin\",\"range\":{\"from\":0,\"to\":1000}}");
      assertThat(ok.body(), ok.statusCode(), is(202));
      m.awaitTriage(Duration.ofSeconds(30));
      assertThat(get(http, o + "/v1/reports").body(), containsString("\"confirmed\""));
      b.clear();
      JsonNode s = m.runRound();
      // The round after the fault cleared verified b again: the incident closed and b routes again.
      assertThat(state(s, item.id(), "b"), is(State.VERIFIED));
      assertThat(s.path("incidents").size(), is(0));
      b.fault(FaultServer.Fault.corrupt());
      post(http, o + "/v1/reports", "{\"item\":\"" + item.id() + "\",\"location\":\"b\",\"problem\":\"corrupt\",\"file\":\"extra/blob.bin\",\"range\":{\"from\":5000,\"to\":6000}}");
      m.awaitTriage(Duration.ofSeconds(30));
      s = m.runRound();
      assertThat(s.path("incidents").toString(), containsString("report:b"));
      assertThat(StatusDocument.parse(CanonicalJson.toBytes(s)).routable(item.id()).size(), is(1));

      // The log chain and its signed checkpoint verify; the log holds every report and verdict.
      Path out = tmp.resolve("out-local");
      ReportLog.Verified v = ReportLog.verify(out.resolve(ReportLog.LOG));
      assertThat(v.entries(), is(4L));
      assertThat(ReportLog.verifyCheckpoint(out.resolve(ReportLog.CHECKPOINT), out.resolve(ReportLog.LOG), m.publicKey()), is(true));

      // Headless Chromium: the page shows the states (the core table without JavaScript) and a screenshot is saved.
      Path shots = Path.of("target", "screenshots");
      Files.createDirectories(shots);
      Path png = shots.resolve("dashboard.png").toAbsolutePath();
      String dom = chromium("--dump-dom", o + "/");
      assertThat(dom, containsString("data-state=\"verified\""));
      assertThat(dom, containsString("data-state=\"corrupt\""));
      assertThat(dom, containsString("confirmed report"));
      assertThat(dom, containsString("uplot"));
      chromium("--screenshot=" + png, "--window-size=412,1400", o + "/");
      assertThat(Files.size(png), greaterThan(5000L));
      // Without JavaScript the page as served already holds the whole table.
      String nojs = get(http, o + "/").body();
      assertThat(nojs, containsString("data-state=\"corrupt\""));
      b.clear();
    }
  }

  static String chromium(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--virtual-time-budget=5000", "--user-data-dir=" + Files.createTempDirectory("chromium")));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish");
    }
    return out;
  }

  static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
