package org.d4c.fetch;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.d4c.testing.FaultServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** d4c get killed (SIGKILL) mid-download, then run again: the pieces verified before the kill are not fetched again. */
class KillResumeIT {
  @TempDir Path tmp;

  @Test
  void killedMidDownloadResumesWithoutRefetchingVerifiedPieces() throws Exception {
    List<FaultServer> servers = new ArrayList<>();
    try {
      List<Published.Mirror> mirrors = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        FaultServer f = new FaultServer(Files.createDirectories(tmp.resolve("m" + i)));
        servers.add(f);
        mirrors.add(new Published.Mirror("m" + i, tmp.resolve("m" + i), f.base()));
      }
      Published p = Published.publish(tmp, tmp.resolve("catalog"), mirrors, "roads", "3.0.0", 6_000_000, 9);
      for (FaultServer f : servers) f.fault(FaultServer.Fault.slow(250_000));
      String cp = Files.readString(Path.of(System.getProperty("fetch.test.classpath"))).trim() + ":" + System.getProperty("fetch.classes")
          + ":" + Path.of(System.getProperty("fetch.classes")).resolveSibling("test-classes");
      Process get = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", cp,
          GetProcess.class.getName(), tmp.resolve("catalog").toString(), "roads", tmp.resolve("out").toString())
          .redirectErrorStream(true).redirectOutput(tmp.resolve("get.log").toFile()).start();
      Path bitmap = tmp.resolve("out/.d4c-get/roads-3.0.0.pieces");
      TorrentLayout layout = TorrentLayout.of(p.torrent(), "test");
      long end = System.nanoTime() + 60_000_000_000L;
      while (have(bitmap, layout).cardinality() < layout.numPieces() / 4) {
        assertTrue(get.isAlive(), () -> "d4c get ended early: " + read(tmp.resolve("get.log")));
        assertTrue(System.nanoTime() < end, "no progress");
        Thread.sleep(50);
      }
      get.destroyForcibly(); // SIGKILL
      get.waitFor();
      BitSet before = have(bitmap, layout);
      assertTrue(before.cardinality() < layout.numPieces(), "it was killed before the end");
      // The servers finish (and record) the killed process's last responses when their next write fails: wait until
      // their request records stop changing, so that none of those is taken for a request of the second run.
      int[] seen = new int[servers.size()];
      for (int stable = 0; stable < 10; ) {
        Thread.sleep(50);
        boolean same = true;
        for (int i = 0; i < servers.size(); i++) {
          int n = servers.get(i).requests().size();
          if (n != seen[i]) same = false;
          seen[i] = n;
        }
        stable = same ? stable + 1 : 0;
      }
      for (FaultServer f : servers) f.fault(null);

      Fetch.Summary s = Fetch.of(tmp.resolve("catalog").toString()).item("roads").to(tmp.resolve("out")).call();
      Published.assertSame(p.build(), tmp.resolve("out/roads-3.0.0"));
      assertEquals(before.cardinality(), s.piecesResumed(), s.toJson().toString());
      assertThat(s.piecesResumed(), greaterThan(0));
      Pattern range = Pattern.compile("bytes=(\\d+)-(\\d+)");
      for (int i = 0; i < servers.size(); i++) {
        for (FaultServer.Request r : servers.get(i).requests().subList(seen[i], servers.get(i).requests().size())) {
          if (!r.path().startsWith("/mirror/roads-3.0.0/")) continue; // the .torrent
          String rel = r.path().substring("/mirror/roads-3.0.0/".length());
          TorrentLayout.FileEntry f = layout.files().stream().filter(x -> x.path().equals(rel)).findFirst().orElseThrow();
          Matcher m = range.matcher(r.range());
          assertTrue(m.matches(), r.range());
          long a = f.offset() + Long.parseLong(m.group(1));
          long b = f.offset() + Long.parseLong(m.group(2));
          for (long piece = a / layout.pieceLength(); piece <= b / layout.pieceLength(); piece++) {
            assertTrue(!before.get((int) piece), "piece " + piece + " was verified before the kill and fetched again: " + r + " (status " + r.status() + ", "
                + r.bytes() + " bytes)");
          }
        }
      }
    } finally {
      for (FaultServer f : servers) f.close();
    }
  }

  static BitSet have(Path bitmap, TorrentLayout layout) throws Exception {
    if (!Files.isRegularFile(bitmap)) return new BitSet();
    byte[] b = Files.readAllBytes(bitmap);
    int nl = 0;
    while (nl < b.length && b[nl] != '\n') nl++;
    if (nl >= b.length) return new BitSet();
    return BitSet.valueOf(Arrays.copyOfRange(b, nl + 1, b.length));
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (Exception e) {
      return "";
    }
  }
}
