package org.d4c.fetch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.d4c.core.hash.Hashing;
import org.d4c.testing.FaultServer;

/**
 * d4c get against aria2c over the same three loopback mirrors (FaultServer, no faults), side by side in one run:
 * SIZE_MIB MiB blob, ROUNDS rounds (order alternating) after one untimed warm-up of each. d4c get runs in its own JVM
 * ({@link GetProcess}: resolve, download, every piece SHA-1 verified, every file's sha256 checked, moved into place);
 * aria2c runs {@code -x 3 -s 3} with the three URLs of the blob (no checksum). MB/s = 10^6 bytes of the blob per
 * second of the process's wall time. Usage: SIZE_MIB ROUNDS WORKDIR CLASSPATH.
 */
public final class GetBench {
  private GetBench() {}

  public static void main(String[] args) throws Exception {
    long size = Long.parseLong(args[0]) << 20;
    int rounds = Integer.parseInt(args[1]);
    Path work = Path.of(args[2]);
    String cp = args[3];
    Path folder = Files.createDirectories(work.resolve("mirror"));
    List<FaultServer> servers = new ArrayList<>();
    for (int i = 0; i < 3; i++) servers.add(new FaultServer(folder));
    List<Published.Mirror> mirrors = new ArrayList<>();
    for (int i = 0; i < 3; i++) mirrors.add(new Published.Mirror("m" + (i + 1), folder, servers.get(i).base()));
    Published p = Published.publish(work, work.resolve("catalog"), mirrors, "bench", "1.0.0", size, 1);
    String sha = Hashing.sha256(p.build().resolve("extra/blob.bin"));
    Files.delete(p.build().resolve("extra/blob.bin")); // the mirror folder keeps its copy
    System.out.println("# blob " + (size >> 20) + " MiB, piece " + p.result().pieceLength() + " bytes, " + p.result().numPieces() + " pieces");
    double[] d4c = new double[rounds];
    double[] aria = new double[rounds];
    runD4c(work, cp, sha);
    runAria(work, servers, sha);
    for (int r = 0; r < rounds; r++) {
      if (r % 2 == 0) {
        d4c[r] = runD4c(work, cp, sha);
        aria[r] = runAria(work, servers, sha);
      } else {
        aria[r] = runAria(work, servers, sha);
        d4c[r] = runD4c(work, cp, sha);
      }
      System.out.printf("round %d: d4c get %.0f MB/s, aria2c %.0f MB/s, load %s%n", r + 1, size / d4c[r] / 1e6, size / aria[r] / 1e6,
          Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }
    double dm = median(d4c);
    double am = median(aria);
    System.out.printf("median: d4c get %.0f MB/s (%.2f s), aria2c -x 3 -s 3 %.0f MB/s (%.2f s); ratio d4c/aria2c throughput %.2fx%n",
        size / dm / 1e6, dm, size / am / 1e6, am, am / dm);
    for (FaultServer s : servers) s.close();
  }

  static double runD4c(Path work, String cp, String sha) throws Exception {
    Path out = work.resolve("out-d4c");
    delete(out);
    long t0 = System.nanoTime();
    Process pr = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-Dlibtorrent4j.jni.path=" + System.getProperty("libtorrent4j.jni.path"), "-cp", cp, GetProcess.class.getName(),
        work.resolve("catalog").toString(), "bench", out.toString()).redirectErrorStream(true).redirectOutput(work.resolve("d4c.log").toFile()).start();
    if (pr.waitFor() != 0) throw new IllegalStateException("d4c get failed: " + Files.readString(work.resolve("d4c.log")));
    double s = (System.nanoTime() - t0) / 1e9;
    if (!Hashing.sha256(out.resolve("bench-1.0.0/extra/blob.bin")).equals(sha)) throw new IllegalStateException("d4c get: wrong bytes");
    return s;
  }

  static double runAria(Path work, List<FaultServer> servers, String sha) throws Exception {
    Path out = work.resolve("out-aria");
    delete(out);
    Files.createDirectories(out);
    List<String> cmd = new ArrayList<>(List.of("aria2c", "-q", "-x", "3", "-s", "3", "--file-allocation=none", "-d", out.toString(), "-o", "blob.bin"));
    for (FaultServer s : servers) cmd.add(s.base() + "bench-1.0.0/extra/blob.bin");
    long t0 = System.nanoTime();
    Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("aria.log").toFile()).start();
    if (pr.waitFor() != 0) throw new IllegalStateException("aria2c failed: " + Files.readString(work.resolve("aria.log")));
    double s = (System.nanoTime() - t0) / 1e9;
    if (!Hashing.sha256(out.resolve("blob.bin")).equals(sha)) throw new IllegalStateException("aria2c: wrong bytes");
    return s;
  }

  static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  static void delete(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (var w = Files.walk(p)) {
      for (Path x : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
