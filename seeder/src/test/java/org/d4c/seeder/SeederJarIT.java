package org.d4c.seeder;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeder's runnable jar: its own entry point, and none of the build's heavy machinery on its classpath. */
class SeederJarIT {
  @TempDir Path tmp;

  @Test
  void carriesNoBeamFlinkOrHadoopClasses() throws Exception {
    try (JarFile jar = new JarFile(Procs.seederJar().toFile())) {
      List<String> heavy = jar.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("org/apache/beam/") || n.startsWith("org/apache/flink/") || n.startsWith("org/apache/hadoop/")
              || n.startsWith("org/gdal/"))
          .limit(5).toList();
      assertThat(heavy, empty());
      assertEquals("org.d4c.seeder.Seeder", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      assertThat("libtorrent's native library travels in the jar", jar.getEntry("lib/x86_64/libtorrent4j.so") != null,
          org.hamcrest.Matchers.is(true));
    }
  }

  @Test
  void seedHelpShowsExamplesAndABadBudgetSaysWhatIsExpected() throws Exception {
    try (Procs.Proc help = Procs.seeder(tmp, List.of("--help"))) {
      assertEquals(0, help.process.waitFor());
      help.await("Examples:", 5);
      assertThat(help.output(), containsString("--budget"));
      assertThat(help.output(), containsString("--swarm-memory"));
    }
    try (Procs.Proc bad = Procs.seeder(tmp, List.of("--catalog", tmp.toString(), "--data", tmp.resolve("d").toString(), "--budget",
        "lots"))) {
      assertThat(bad.process.waitFor(60, TimeUnit.SECONDS), org.hamcrest.Matchers.is(true));
      assertEquals(2, bad.process.exitValue(), bad.output());
      bad.await("d4c-seeder seed: .*not a size: 'lots' \\(examples: 500M", 5);
      assertThat("no stack trace", bad.output(), org.hamcrest.Matchers.not(containsString("\tat ")));
    }
  }
}
