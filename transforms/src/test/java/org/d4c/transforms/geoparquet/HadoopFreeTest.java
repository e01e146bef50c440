package org.d4c.transforms.geoparquet;

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
    List<URL> urls = new ArrayList<>();
    int dropped = 0;
    for (String entry : classPath()) {
      if (entry.replace(File.separatorChar, '/').contains("/org/apache/hadoop/")) {
        dropped++;
      } else {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    assertThat("a Hadoop jar was removed from the class path", dropped, greaterThan(0));

    try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      assertThrows(ClassNotFoundException.class,
          () -> Class.forName("org.apache.hadoop.conf.Configuration", false, loader));
      for (boolean nativeGeometry : new boolean[] {false, true}) {
        Path isolated = dir.resolve("isolated-" + nativeGeometry + ".parquet");
        Path normal = dir.resolve("normal-" + nativeGeometry + ".parquet");
        String geo = (String) loader.loadClass(HadoopFreeProbe.class.getName())
            .getMethod("run", String.class, boolean.class).invoke(null, isolated.toString(), nativeGeometry);
        assertThat(geo, equalTo(HadoopFreeProbe.run(normal.toString(), nativeGeometry)));
        assertThat(Files.readAllBytes(isolated), equalTo(Files.readAllBytes(normal)));
      }
    }
  }

  /** The test class path; surefire may hide it behind a manifest-only booter jar. */
  private static List<String> classPath() throws Exception {
    List<String> out = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.contains("surefirebooter") && entry.endsWith(".jar")) {
        try (JarFile jar = new JarFile(entry)) {
          for (String u : jar.getManifest().getMainAttributes().getValue("Class-Path").split(" ")) {
            if (!u.isBlank()) {
              out.add(Path.of(new URL(new File(entry).toURI().toURL(), u).toURI()).toString());
            }
          }
        }
      } else {
        out.add(entry);
      }
    }
    return out;
  }
}
