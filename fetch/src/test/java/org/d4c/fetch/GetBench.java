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
 * second of the process's wall time. With {@code -Dgetbench.cli.cp=CLASSPATH} (the cli jar and its class path, as the
 * script passes) it runs {@code d4c get} itself, and like {@code ./d4c get} maps a class-data sharing archive that its
 * first run recorded ({@code D4C_CDS=0} turns that off). Usage: SIZE_MIB ROUNDS WORKDIR CLASSPATH.
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
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-Dd4c.get.timings=true", "-Dlibtorrent4j.jni.path=" + System.getProperty("libtorrent4j.jni.path")));
    // As ./d4c runs a light command: a class-data sharing archive recorded by the first (untimed) run, mapped by the others.
    if (!"0".equals(System.getenv("D4C_CDS")) && System.getProperty("getbench.cli.cp") != null) {
      Path jsa = work.resolve("get.jsa");
      if (Files.exists(jsa)) cmd.addAll(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto"));
      else cmd.add("-XX:ArchiveClassesAtExit=" + jsa);
      cmd.add("-Xlog:disable");
    }
    String extra = System.getProperty("getbench.jvm", "");
    if (!extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
    String cli = System.getProperty("getbench.cli.cp");
    if (cli != null) { // the d4c command itself, as ./d4c runs it
      cmd.addAll(List.of("-cp", cli, "org.d4c.cli.D4c", "get", "bench", "--catalog", work.resolve("catalog").toString(), "--to", out.toString(), "--json"));
      String args = System.getProperty("getbench.args", "");
      if (!args.isBlank()) cmd.addAll(List.of(args.trim().split("\\s+")));
    } else {
      cmd.addAll(List.of("-cp", cp, GetProcess.class.getName(), work.resolve("catalog").toString(), "bench", out.toString()));
    }
    Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("d4c.log").toFile()).start();
    if (pr.waitFor() != 0) throw new IllegalStateException("d4c get failed: " + Files.readString(work.resolve("d4c.log")));
    double s = (System.nanoTime() - t0) / 1e9;
    for (String line : Files.readAllLines(work.resolve("d4c.log"))) if (line.startsWith("timings:")) System.out.printf("  d4c get %.2f s, %s%n", s, line);
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
