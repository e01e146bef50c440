package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.d4c.fetch.Fetch;
import org.d4c.testing.FaultServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code d4c get --report URL} against a real {@code d4c monitor} process: a mirror serves a bad piece, get bans it,
 * finishes from the other one, and the monitor receives the report with its evidence (file, byte range, sha256 of the
 * bytes served, the piece's SHA-1s) through {@code POST /v1/reports}.
 */
class GetReportIT {
  @TempDir Path tmp;

  @Test
  void aBadPieceIsReportedToTheMonitorWithItsEvidence() throws Exception {
    Path ma = Files.createDirectories(tmp.resolve("mirror-a"));
    Path mb = Files.createDirectories(tmp.resolve("mirror-b"));
    Process monitor = null;
    try (FaultServer a = new FaultServer(ma); FaultServer b = new FaultServer(mb)) {
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("a", new AbstractMap.SimpleEntry<>(ma, a.base()));
      mirrors.put("b", new AbstractMap.SimpleEntry<>(mb, b.base()));
      Published.Item item = Published.publish(catalog, mirrors, "roads", "1.0.0", 2_000_000, 11);
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      // status.json goes beside the monitor, not into the catalog: get must not learn of b from it and skip it
      String cp = Files.readString(Path.of(System.getProperty("monitor.test.classpath"))).trim() + ":" + System.getProperty("monitor.classes");
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
          "-Dd4c.home=" + System.getProperty("d4c.home", "."), "-cp", cp, "org.d4c.cli.D4c", "monitor", "--catalog", catalog.toString(),
          "--listen", "127.0.0.1:" + port, "--data", tmp.resolve("monitor-data").toString(), "--out", tmp.resolve("monitor-out").toString(),
          "--interval", "1h"));
      monitor = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("monitor.log").toFile()).start();
      String origin = "http://127.0.0.1:" + port + "/";
      HttpClient http = HttpClient.newHttpClient();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (true) {
        assertThat("the monitor ended: " + Files.readString(tmp.resolve("monitor.log")), monitor.isAlive(), is(true));
        try {
          if (http.send(HttpRequest.newBuilder(URI.create(origin + "v1/reports")).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) break;
        } catch (java.io.IOException e) {
          // not listening yet
        }
        if (System.nanoTime() > end) throw new AssertionError("the monitor did not start: " + Files.readString(tmp.resolve("monitor.log")));
        Thread.sleep(200);
      }

      b.fault("roads-1.0.0/extra/blob.bin", FaultServer.Fault.corrupt());
      Fetch.Summary s = Fetch.of(catalog.toString()).item("roads").to(tmp.resolve("out")).via(Fetch.Via.HTTP).report(origin).call();
      assertThat(s.toJson().toString(), s.sources().stream().filter(r -> r.id().equals("b")).findFirst().orElseThrow().verdict(),
          startsWith("banned: piece"));
      assertThat(s.toJson().toString(), s.reports().size(), is(1));
      Fetch.ReportSent sent = s.reports().get(0);
      assertThat(sent.toString(), sent.status(), is(202));
      assertThat(sent.toString(), sent.id(), notNullValue());

      JsonNode reports = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(origin + "v1/reports")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body());
      JsonNode r = null;
      for (JsonNode x : reports.path("reports")) if (x.toString().contains(sent.id())) r = x;
      assertThat(reports.toString(), r, notNullValue());
      assertThat(r.toString(), r.toString(), containsString("\"location\":\"b\""));
      assertThat(r.toString(), r.toString(), containsString("corrupt"));
      assertThat(r.toString(), r.toString(), containsString("extra/blob.bin"));
      // the range names the bytes of the bad piece in the file
      String log = Files.readString(tmp.resolve("monitor-out").resolve(org.d4c.monitor.report.ReportLog.LOG));
      JsonNode entry = null;
      for (String line : log.split("\n")) {
        if (line.isBlank()) continue;
        JsonNode e = new ObjectMapper().readTree(line).path("entry");
        if (e.path("id").asText().equals(sent.id()) && e.path("type").asText().equals("report")) entry = e;
      }
      assertThat(log, entry, notNullValue());
      long from = entry.path("range").path("from").asLong();
      long to = entry.path("range").path("to").asLong();
      assertThat(entry.toString(), 0 <= from && from < to && to <= 2_000_000 && to - from <= 1 << 20, is(true));
      assertThat(entry.toString(), entry.path("observed_sha256").asText().length(), is(64));
      assertThat(entry.toString(), entry.path("note").asText(), containsString("SHA-1 expected"));
      assertThat(entry.toString(), entry.path("elapsed_ms").isNumber(), is(true));
      assertThat(item.id(), is("roads-1.0.0"));
    } finally {
      if (monitor != null) {
        monitor.destroy();
        if (!monitor.waitFor(20, TimeUnit.SECONDS)) monitor.destroyForcibly();
      }
    }
  }
}
