package org.d4c.catalog;

import org.d4c.testing.ClassPaths;
import org.d4c.testing.TestBuilds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hadoop-common is only {@code provided}: this test rebuilds the test class path without any Hadoop jar in a class
 * loader that does not delegate to the application class path, and adds a build to a catalog, reads catalog.parquet
 * back and searches it there. Any Hadoop class on those paths would fail with NoClassDefFoundError.
 */
class HadoopFreeTest {
  @TempDir
  Path dir;

  /** Loaded in the isolated class loader. */
  public static final class Probe {
    public static String run(String root) {
      Path r = Path.of(root);
      Path build = TestBuilds.write(r.resolve("build"), TestBuilds.Spec.of("alpha", "1.0.0", TestBuilds.OTTAWA));
      Catalog cat = Catalog.at(r.resolve("cat"));
      cat.add(build, ItemFactory.Options.DEFAULTS, false);
      String items = CatalogParquet.read(cat.parquetFile()).items().toString();
      try (CatalogSearch s = CatalogSearch.open(cat.parquetFile())) {
        return items + s.search(SearchQuery.parse("-76,45,-75,46", null, null, "alpha", 10)).matched();
      }
    }
  }

  @Test
  void addReadAndSearchWithoutHadoopOnTheClassPath() throws Exception {
    try (ClassPaths.Isolated noHadoop = ClassPaths.without("/org/apache/hadoop/")) {
      assertThat("a Hadoop jar was removed from the class path", noHadoop.dropped(), greaterThan(0));
      assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.hadoop.conf.Configuration", false, noHadoop.loader()));
      String isolated = (String) noHadoop.call(Probe.class, "run", Files.createDirectories(dir.resolve("isolated")).toString());
      assertThat(isolated, equalTo(Probe.run(Files.createDirectories(dir.resolve("normal")).toString())));
    }
  }
}
