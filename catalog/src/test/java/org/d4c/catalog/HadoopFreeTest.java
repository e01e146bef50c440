package org.d4c.catalog;
import org.d4c.testing.TestBuilds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
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
    List<URL> urls = new ArrayList<>();
    int dropped = 0;
    for (String entry : classPath()) {
      if (entry.replace(File.separatorChar, '/').contains("/org/apache/hadoop/")) dropped++;
      else urls.add(Path.of(entry).toUri().toURL());
    }
    assertThat("a Hadoop jar was removed from the class path", dropped, greaterThan(0));
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.hadoop.conf.Configuration", false, loader));
      String isolated = (String) loader.loadClass(Probe.class.getName()).getMethod("run", String.class)
          .invoke(null, Files.createDirectories(dir.resolve("isolated")).toString());
      assertThat(isolated, equalTo(Probe.run(Files.createDirectories(dir.resolve("normal")).toString())));
    }
  }

  private static List<String> classPath() throws Exception {
    List<String> out = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.contains("surefirebooter") && entry.endsWith(".jar")) {
        try (JarFile jar = new JarFile(entry)) {
          for (String u : jar.getManifest().getMainAttributes().getValue("Class-Path").split(" ")) {
            if (!u.isBlank()) out.add(Path.of(new URL(new File(entry).toURI().toURL(), u).toURI()).toString());
          }
        }
      } else {
        out.add(entry);
      }
    }
    return out;
  }
}
