package org.d4c.pipelines.build;

import org.d4c.testing.Tools;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import org.d4c.core.hash.Hashing;
import org.d4c.cli.D4c;
import org.d4c.pipelines.testing.FlinkCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build submitted to a real Flink cluster (JobManager and TaskManager in their own JVMs, the shaded job jar
 * uploaded as on any cluster) gives the same bytes as the Direct runner.
 */
class FlinkClusterIT {
  static final Path HOME = Path.of(System.getProperty("d4c.home", "..")).toAbsolutePath().normalize();
  static final Path RECIPE = HOME.resolve("pipelines/recipes/ca-provinces/recipe.yaml");

  @Test
  void realClusterBuildsTheSameBytesAsTheDirectRunner(@TempDir Path tmp) throws Exception {
    Path jobJar = HOME.resolve("pipelines/target/d4c-job.jar");
    Tools.require(Files.isRegularFile(jobJar),
        "no job jar: run the tests with -Pjobjar (./d4c test does) to build pipelines/target/d4c-job.jar");
    String cache = tmp.resolve("cache").toString();
    assertThat(D4c.execute("build", RECIPE.toString(), "--out", tmp.resolve("direct").toString(), "--cache", cache),
        equalTo(0));

    try (FlinkCluster cluster = FlinkCluster.start(tmp.resolve("flink"), System.getProperty("d4c.gdal.dir"))) {
      int code = D4c.execute("build", RECIPE.toString(), "--out", tmp.resolve("cluster").toString(), "--cache", cache,
          "--runner", "flink", "--flink-master", cluster.master(), "--job-jar", jobJar.toString(),
          "--parallelism", "2");
      assertThat("build on the cluster failed; cluster logs:\n" + cluster.logs(), code, equalTo(0));
      // A second job on the same TaskManager: GDAL, loaded once from the TaskManager's class path, serves it too.
      code = D4c.execute("build", RECIPE.toString(), "--out", tmp.resolve("cluster-again").toString(), "--cache", cache,
          "--runner", "flink", "--flink-master", cluster.master(), "--job-jar", jobJar.toString(), "--parallelism", "1");
      assertThat("a second build on the same cluster failed; cluster logs:\n" + cluster.logs(), code, equalTo(0));
    }
    assertThat(Hashing.sha256(tmp.resolve("cluster-again/provinces.parquet")),
        equalTo(Hashing.sha256(tmp.resolve("direct/provinces.parquet"))));
    assertThat(Hashing.sha256(tmp.resolve("cluster/provinces.parquet")),
        equalTo(Hashing.sha256(tmp.resolve("direct/provinces.parquet"))));
    assertThat(Files.readString(tmp.resolve("cluster/manifest.json")),
        equalTo(Files.readString(tmp.resolve("direct/manifest.json"))));
  }
}
