package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.net.HostPort;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.web.MonitorApi;
import org.d4c.monitor.web.MonitorServer;
import org.d4c.testing.FaultServer;
import org.d4c.testing.ProcessOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real d4c seeder (its own JVM, libtorrent) takes the dataset from the catalog's mirror; the monitor polls its status
 * API and {@code /v1/load} shows the node up with the traffic totals the node itself reports, and the Smart Node as a
 * verified location in status.json: its pieces fetched over BitTorrent match their SHA-1; once its copy on disk is
 * damaged it is corrupt, once it stops it is down.
 */
class SeederTrafficIT {
  @TempDir Path tmp;

  private static JsonNode itemLocation(JsonNode status, String item, String location) {
    for (JsonNode i : status.path("items")) {
      if (!i.path("id").asText().equals(item)) continue;
      for (JsonNode l : i.path("locations")) if (l.path("location").asText().equals(location)) return l;
    }
    throw new AssertionError(location + " is not a location of " + item + " in " + status);
  }

  @Test
  void loadShowsTheSeedersTraffic() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(dir)) {
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("m", new AbstractMap.SimpleEntry<>(dir, mirror.base()));
      Published.Item item = Published.publish(catalog, mirrors, "forests", "1.0.0", 2_000_000, 11);
      String cp = Files.readString(Path.of(System.getProperty("monitor.test.classpath"))).trim() + java.io.File.pathSeparator
          + System.getProperty("monitor.classes");
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-Dlibtorrent4j.jni.path=" + System.getProperty("libtorrent4j.jni.path"), "-cp", cp, "org.d4c.seeder.Seeder", "seed",
          "--catalog", catalog.toString(), "--data", tmp.resolve("seed").toString(), "--budget", "1G", "--mode", "full",
          "--listen", "127.0.0.1:0", "--status", "127.0.0.1:0", "--sync-interval", "1h", "--reserve", "1M", "--no-dht"));
      Process seeder = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      StringBuffer out = new StringBuffer();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(seeder.getInputStream()))) {
          for (String l; (l = r.readLine()) != null; ) out.append(l).append('\n');
        } catch (Exception e) {
          // the process ended
        }
      }, "seeder-output");
      reader.setDaemon(true);
      reader.start();
      try {
        String statusUrl = "http://127.0.0.1:" + ProcessOutput.await(out, "status on port (\\d+)", 60) + "/status";
        HttpClient http = HttpClient.newHttpClient();
        JsonNode own = null;
        long end = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < end) {
          own = CanonicalJson.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(statusUrl)).build(), HttpResponse.BodyHandlers.ofString()).body());
          // The piece count and the traffic counters are updated on different ticks: wait for both.
          if (own.path("datasets").size() == 1 && own.path("datasets").get(0).path("pieces_held").asInt() == item.torrent().numPieces()
              && own.path("totals").path("downloaded").asLong() >= 2_000_000L) {
            break;
          }
          Thread.sleep(300);
        }
        assertThat("the seeder took the dataset from the mirror:\n" + out, own.path("totals").path("datasets").asInt(), is(1));
        long downloaded = own.path("totals").path("downloaded").asLong();
        assertThat(downloaded, greaterThanOrEqualTo(2_000_000L));

        MonitorConfig cfg = new MonitorConfig(catalog.toString(), "local", 1, List.of(), Map.of("m", mirror.base()), Map.of("seed1", statusUrl),
            tmp.resolve("data"), tmp.resolve("out"), List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), MonitorIT.TEST_POLICY,
            Clock.systemUTC(), null, 100);
        try (Monitor m = new Monitor(cfg); MonitorServer server = MonitorServer.start(new HostPort("127.0.0.1", 0), new MonitorApi(m))) {
          m.loadCatalog();
          JsonNode status = m.runRound();
          JsonNode load = CanonicalJson.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(server.origin() + "/v1/load")).build(),
              HttpResponse.BodyHandlers.ofString()).body());
          JsonNode node = load.path("smart_nodes").get(0);
          assertThat(load.toString(), node.path("node").asText(), is("seed1"));
          assertThat(node.path("up").asBoolean(), is(true));
          assertThat(node.path("datasets").asInt(), is(1));
          // The totals are the node's own: at least what it reported before the round, at most what it reports after.
          JsonNode after = CanonicalJson.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(statusUrl)).build(),
              HttpResponse.BodyHandlers.ofString()).body());
          long seen = node.path("downloaded").asLong();
          assertThat(seen, greaterThanOrEqualTo(downloaded));
          assertThat(after.path("totals").path("downloaded").asLong(), greaterThanOrEqualTo(seen));
          assertThat(load.path("totals").path("downloaded").asLong(), is(seen));
          assertThat(load.path("totals").path("datasets").asInt(), is(1));
          assertThat(m.history().count("traffic"), greaterThan(0L));
          JsonNode loc = null;
          for (JsonNode l : status.path("locations")) if (l.path("id").asText().equals("seed1")) loc = l;
          assertThat(status.toString(), loc.path("kind").asText(), is("smart-node"));
          assertThat(loc.path("state").asText(), is("verified"));
          // No address of the node (or anyone) is stored with the traffic.
          assertThat(m.history().latestTraffic().toString().contains("127.0.0.1"), is(false));

          // The node's bytes are probed too: pieces it holds, fetched over BitTorrent and checked against their SHA-1.
          assertThat(org.d4c.monitor.probe.TorrentPieces.infoHash(item.torrent().bytes()), is(item.torrent().infoHashV1()));
          JsonNode at = itemLocation(status, item.id(), "seed1");
          assertThat(status.toString(), at.path("state").asText(), is("verified"));
          assertThat(at.path("detail").asText(), containsString("over BitTorrent"));
          assertThat(at.path("routable").asBoolean(), is(true));

          // A byte changed in every piece on the node's disk: the node serves it as it is, and the probe finds out.
          Path blob;
          try (var files = Files.walk(tmp.resolve("seed"))) {
            blob = files.filter(f -> f.getFileName().toString().equals("blob.bin")).findFirst().orElseThrow();
          }
          int pieceLength = item.torrent().pieceLength();
          try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(blob.toFile(), "rw")) {
            for (long off = 100; off < f.length(); off += pieceLength / 2) {
              f.seek(off);
              int b = f.read();
              f.seek(off);
              f.write(b ^ 0xff);
            }
          }
          status = m.runRound();
          at = itemLocation(status, item.id(), "seed1");
          assertThat(status.toString(), at.path("state").asText(), is("corrupt"));
          assertThat(at.path("detail").asText(), containsString("does not match its SHA-1"));
          assertThat(at.path("routable").asBoolean(), is(false));
          // The HTTP mirror still serves the right bytes.
          assertThat(itemLocation(status, item.id(), "m").path("state").asText(), is("verified"));

          // The node stops: it is down for the items it held.
          seeder.destroy();
          seeder.waitFor();
          status = m.runRound();
          at = itemLocation(status, item.id(), "seed1");
          assertThat(status.toString(), at.path("state").asText(), is("down"));
          JsonNode down = null;
          for (JsonNode l : status.path("locations")) if (l.path("id").asText().equals("seed1")) down = l;
          assertThat(down.path("state").asText(), is("down"));
        }
      } finally {
        seeder.destroy();
        seeder.waitFor();
      }
    }
  }
}
