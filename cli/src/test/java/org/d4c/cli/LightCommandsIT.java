package org.d4c.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.d4c.catalog.Catalog;
import org.d4c.catalog.ItemFactory;
import org.d4c.testing.ClassPaths;
import org.d4c.testing.TestBuilds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The light commands run on the class path the launcher gives them (cli/target/classpath.txt): it carries no Beam,
 * Flink or Hadoop, and {@code catalog search} works there in a separate JVM, while {@code build} says it needs the
 * build modules (exit 2) instead of failing with a missing class.
 */
class LightCommandsIT {
  private static final Path HOME = Path.of(System.getProperty("d4c.home", ".")).toAbsolutePath();
  private static final Path CLASSPATH = HOME.resolve("cli/target/classpath.txt");

  @TempDir
  Path tmp;

  @Test
  void theLauncherClassPathHasNoBeamFlinkOrHadoop() throws Exception {
    List<String> heavy = new ArrayList<>();
    for (String entry : ClassPaths.launcherClassPath(CLASSPATH)) {
      String e = entry.replace(File.separatorChar, '/').toLowerCase(Locale.ROOT);
      if (e.contains("/org/apache/beam/") || e.contains("/org/apache/flink/") || e.contains("/org/apache/hadoop/")
          || e.contains("/org/gdal/") || e.contains("d4c-pipelines") || e.contains("d4c-transforms")) heavy.add(entry);
    }
    assertThat(heavy, empty());
  }

  @Test
  void catalogSearchRunsOnTheLightClassPath() throws Exception {
    Path build = TestBuilds.write(tmp.resolve("b"), TestBuilds.Spec.of("alpha", "1.0.0", TestBuilds.OTTAWA));
    Catalog.at(tmp.resolve("cat")).add(build, ItemFactory.Options.DEFAULTS, false);
    Result search = run("catalog", "search", "--catalog", tmp.resolve("cat").toString(), "--q", "alpha");
    assertThat(search.err, search.code, equalTo(0));
    assertThat(search.out, containsString("alpha-1.0.0"));
    assertThat(search.out.lines().filter(l -> l.contains("matches")).toList(), hasSize(1));

    Result build2 = run("build", "recipe.yaml", "--out", tmp.resolve("o").toString());
    assertThat(build2.code, equalTo(2));
    assertThat(build2.err, containsString("build modules are not on the class path"));
    assertThat(build2.err, not(containsString("Exception")));
  }

  private record Result(int code, String out, String err) {}

  private Result run(String... args) throws Exception {
    String cp = HOME.resolve("cli/target/classes") + File.pathSeparator + String.join(File.pathSeparator,
        ClassPaths.launcherClassPath(CLASSPATH));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
        D4c.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("err.txt").toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    return new Result(code, out, java.nio.file.Files.readString(tmp.resolve("err.txt")));
  }
}
