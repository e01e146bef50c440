package org.d4c.pipelines.build;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.d4c.cli.D4c;
import org.d4c.core.hash.Hashing;
import org.d4c.pipelines.testing.FlinkCluster;

/**
 * Build benchmark on a real Flink session cluster on loopback (a JobManager and a TaskManager with 2 slots, each its
 * own JVM, as {@link FlinkClusterIT} starts them): builds RECIPE at each parallelism given, one after the other on the
 * same cluster, and prints one line per build: parallelism, wall seconds (client side, job submission included),
 * features per second, features per second per slot, and the sha256 of every output file.
 *
 * <p>Usage: {@code FlinkClusterBench RECIPE WORKDIR JOB_JAR FEATURES PARALLELISM...}; run by
 * {@code bench/build-scaling.sh}.
 */
public final class FlinkClusterBench {
  private FlinkClusterBench() {}

  public static void main(String[] args) throws Exception {
    Path recipe = Path.of(args[0]);
    Path work = Files.createDirectories(Path.of(args[1]));
    String jobJar = args[2];
    long features = Long.parseLong(args[3]);
    List<Integer> parallelisms = new ArrayList<>();
    for (int i = 4; i < args.length; i++) {
      parallelisms.add(Integer.parseInt(args[i]));
    }
    try (FlinkCluster cluster = FlinkCluster.start(work.resolve("flink"), System.getProperty("d4c.gdal.dir"))) {
      for (int p : parallelisms) {
        Path out = work.resolve("cluster-p" + p);
        long t0 = System.nanoTime();
        int code = D4c.execute("build", recipe.toString(), "--out", out.toString(), "--cache",
            work.resolve("cache").toString(), "--runner", "flink", "--flink-master", cluster.master(), "--job-jar",
            jobJar, "--parallelism", Integer.toString(p));
        double s = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
          System.err.println(cluster.logs());
          throw new IllegalStateException("build at parallelism " + p + " failed with exit code " + code);
        }
        StringBuilder hashes = new StringBuilder();
        try (var files = Files.walk(out)) {
          for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList()) {
            hashes.append(' ').append(out.relativize(f)).append('=').append(Hashing.sha256(f));
          }
        }
        System.out.printf(java.util.Locale.ROOT, "cluster\t%d\t%.2f\t%.0f\t%.0f\t%s%n", p, s, features / s,
            features / s / p, hashes.toString().trim());
      }
    }
  }
}
