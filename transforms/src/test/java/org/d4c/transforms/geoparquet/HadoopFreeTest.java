package org.d4c.transforms.geoparquet;

import org.d4c.testing.ClassPaths;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hadoop-common is a {@code provided} dependency, so it is on the test class path but not at run time. This test
 * rebuilds the test class path without any Hadoop jar, in a class loader whose parent is the platform loader (no
 * delegation back to the application class path), and writes and reads a file there: any Hadoop class touched on the
 * write or footer-read path would fail with NoClassDefFoundError.
 */
class HadoopFreeTest {
  @TempDir
  Path dir;

  @Test
  void writesAndReadsWithoutHadoopOnTheClassPath() throws Exception {
    try (ClassPaths.Isolated noHadoop = ClassPaths.without("/org/apache/hadoop/")) {
      assertThat("a Hadoop jar was removed from the class path", noHadoop.dropped(), greaterThan(0));
      assertThrows(ClassNotFoundException.class,
          () -> Class.forName("org.apache.hadoop.conf.Configuration", false, noHadoop.loader()));
      for (boolean nativeGeometry : new boolean[] {false, true}) {
        Path isolated = dir.resolve("isolated-" + nativeGeometry + ".parquet");
        Path normal = dir.resolve("normal-" + nativeGeometry + ".parquet");
        String geo = (String) noHadoop.call(HadoopFreeProbe.class, "run", isolated.toString(), nativeGeometry);
        assertThat(geo, equalTo(HadoopFreeProbe.run(normal.toString(), nativeGeometry)));
        assertThat(Files.readAllBytes(isolated), equalTo(Files.readAllBytes(normal)));
      }
    }
  }

  /** The test class path; surefire may hide it behind a manifest-only booter jar. */
}
