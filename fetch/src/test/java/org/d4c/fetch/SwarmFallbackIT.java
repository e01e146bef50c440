package org.d4c.fetch;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.d4c.core.net.HostPort;
import org.d4c.testing.FaultServer;
import org.d4c.testing.ProcessOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every HTTP mirror of the dataset is down (connections closed) but a d4c seeder (its own JVM) has it: d4c get
 * finishes over BitTorrent from the seeder, byte-exact; with the .torrent gone as well, the metadata comes from the seeder
 * by info-hash.
 */
class SwarmFallbackIT {
  @TempDir Path tmp;

  @Test
  void everyMirrorDownButASeederUp() throws Exception {
    try (FaultServer m = new FaultServer(Files.createDirectories(tmp.resolve("m")))) {
      Published p = Published.publish(tmp, tmp.resolve("catalog"), List.of(new Published.Mirror("campus", tmp.resolve("m"), m.base())),
          "roads", "1.0.0", 3_000_000, 7);
      String cp = Files.readString(Path.of(System.getProperty("fetch.test.classpath"))).trim();
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-Dlibtorrent4j.jni.path=" + System.getProperty("fetch.native"), "-cp", cp, "org.d4c.seeder.Seeder", "seed",
          "--catalog", tmp.resolve("catalog").toString(), "--data", tmp.resolve("seed").toString(), "--budget", "1G", "--mode", "full",
          "--listen", "127.0.0.1:0", "--status", "127.0.0.1:0", "--sync-interval", "1h", "--reserve", "1M"));
      Process seeder = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      StringBuffer out = new StringBuffer();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(seeder.getInputStream()))) {
          for (String l; (l = r.readLine()) != null; ) out.append(l).append('\n');
        } catch (Exception e) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
      try {
        int port = Integer.parseInt(ProcessOutput.await(out, "listening on port (\\d+)", 60));
        int statusPort = Integer.parseInt(ProcessOutput.await(out, "status on port (\\d+)", 30));
        HttpClient c = HttpClient.newHttpClient();
        long end = System.nanoTime() + 90_000_000_000L;
        while (true) {
          JsonNode st = new ObjectMapper().readTree(c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/status")).build(),
              HttpResponse.BodyHandlers.ofString()).body());
          if (st.path("datasets").size() == 1 && st.path("datasets").get(0).path("pieces_held").asInt() == p.result().numPieces()) break;
          if (System.nanoTime() > end) throw new AssertionError("the seeder never held the dataset:\n" + out);
          Thread.sleep(300);
        }
        // from now on only the seeder has the dataset's bytes (the .torrent, like the catalog, is still served)
        for (String f : List.of("data.parquet", "extra/blob.bin", "manifest.json")) m.fault("roads-1.0.0/" + f, FaultServer.Fault.down());
        Fetch.Summary s = Fetch.of(tmp.resolve("catalog").toString()).item("roads").to(tmp.resolve("out"))
            .peers(List.of(new HostPort("127.0.0.1", port))).swarmTimeout(Duration.ofSeconds(90)).call();
        Published.assertSame(p.build(), tmp.resolve("out/roads-1.0.0"));
        Fetch.SourceReport swarm = s.sources().stream().filter(r -> r.kind().equals("bittorrent")).findFirst().orElseThrow();
        assertEquals("ok", swarm.verdict(), s.toJson().toString());
        assertThat(swarm.bytes(), greaterThan(2_900_000L));

        // The .torrent is gone from every location too: its metadata comes from the seeder by info-hash (BEP 9), and
        // the data from the seeder as before.
        m.fault("torrents/roads-1.0.0.torrent", FaultServer.Fault.down());
        Fetch.Summary s2 = Fetch.of(tmp.resolve("catalog").toString()).item("roads").to(tmp.resolve("out2"))
            .peers(List.of(new HostPort("127.0.0.1", port))).swarmTimeout(Duration.ofSeconds(90)).call();
        Published.assertSame(p.build(), tmp.resolve("out2/roads-1.0.0"));
        assertThat(s2.toJson().toString(), s2.toJson().path("torrent_from").asText(), org.hamcrest.Matchers.startsWith("the swarm (metadata by info-hash"));
        assertThat(s.toJson().has("torrent_from"), org.hamcrest.Matchers.is(false));
        Fetch.SourceReport swarm2 = s2.sources().stream().filter(r -> r.kind().equals("bittorrent")).findFirst().orElseThrow();
        assertEquals("ok", swarm2.verdict(), s2.toJson().toString());

        // --via http never asks the swarm: it fails and says that no location gave the torrent.
        org.d4c.core.error.D4cException e = org.junit.jupiter.api.Assertions.assertThrows(org.d4c.core.error.D4cException.class,
            () -> Fetch.of(tmp.resolve("catalog").toString()).item("roads").to(tmp.resolve("out3")).via(Fetch.Via.HTTP).call());
        assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("no location gave the torrent"));
      } finally {
        seeder.destroy();
        seeder.waitFor();
      }
    }
  }
}
