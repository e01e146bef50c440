package org.d4c.pipelines.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.d4c.cli.D4c;
import org.d4c.core.hash.Hashing;
import org.d4c.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build or a {@code catalog add} killed with SIGKILL at chosen instants (strace injects the signal into the
 * process at a given system call): {@code --out} holds a complete build at every instant, or the next build puts the
 * previous one back and says so; a catalog is valid again after the next command, which says what it repaired.
 */
class KilledCommandsIT {
  @TempDir static Path tmp;
  static Path data;
  static Path cache;
  static Path v1;
  static Path v2;
  static Map<String, String> v1Files;

  @BeforeAll
  static void builds() throws Exception {
    Tools.require(new ProcessBuilder("strace", "-V").start().waitFor() == 0, "strace is missing: apt-get install strace (the ./d4c launcher installs it)");
    Fixtures.useStableHome();
    data = Files.createDirectories(tmp.resolve("data"));
    cache = tmp.resolve("cache");
    Fixtures.geoPackage(data.resolve("places.gpkg"), Map.of("a", Fixtures.places(30, 1, 0), "b", Fixtures.places(40, 2, 0)));
    v1 = recipe("v1", "killed-a", "a");
    v2 = recipe("v2", "killed-b", "b");
    Path reference = tmp.resolve("reference");
    assertThat(Fixtures.d4c("build", v1.toString(), "--out", reference.toString(), "--cache", cache.toString()).exitCode(), is(0));
    v1Files = data(reference);
  }

  @AfterAll
  static void restoreHome() {
    Fixtures.restoreHome();
  }

  static Path recipe(String name, String dataset, String layer) throws IOException {
    return Fixtures.lock(Fixtures.recipe(data.resolve(name + ".yaml"),
        Fixtures.oneSourceRecipe(dataset, "places.gpkg", layer, "datetime: 2024-01-01")), cache);
  }

  /** sha256 of a build's files but run.json (the wall-clock details of the run, different every time). */
  static Map<String, String> data(Path out) throws IOException {
    Map<String, String> m = new java.util.TreeMap<>(Fixtures.sha256Tree(out));
    m.remove("run.json");
    return m;
  }

  /** An earlier build of v1 in a fresh --out. */
  static Path earlierBuild(String name) throws IOException {
    Path out = Files.createDirectories(tmp.resolve(name)).resolve("out");
    Fixtures.Run r = Fixtures.d4c("build", v1.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    return out;
  }

  /** Every output the manifest lists is there with its sha256: a complete build; returns its layer's row count. */
  static long complete(Path out) throws IOException {
    JsonNode m = Fixtures.readJson(out.resolve("manifest.json"));
    long rows = 0;
    for (JsonNode o : m.path("outputs")) {
      assertThat(o.toString(), Hashing.sha256(out.resolve(o.path("path").asText())), is(o.path("sha256").asText()));
      rows += o.path("rows").asLong();
    }
    return rows;
  }

  static List<String> hidden(Path dir) throws IOException {
    return Fixtures.names(dir).stream().filter(n -> n.startsWith(".")).toList();
  }

  /** d4c ARGS in a child JVM under strace with {@code inject}; returns the trace (the child was killed or not). */
  static String straced(String inject, List<String> jvmOptions, Path trace, String... args) throws Exception {
    return straced(inject, jvmOptions, trace, p -> {}, args);
  }

  /** The same, with {@code whileRunning} called on strace's process once started (in this thread). */
  static String straced(String inject, List<String> jvmOptions, Path trace,
      java.util.function.Consumer<Process> whileRunning, String... args) throws Exception {
    String gdalDir = System.getProperty("d4c.gdal.dir", System.getProperty("java.library.path"));
    List<String> cmd = new ArrayList<>(List.of("strace", "-f", "-qq", "-o", trace.toString(),
        "-e", "trace=rename,renameat,renameat2"));
    if (inject != null) cmd.addAll(List.of("-e", "inject=" + inject));
    cmd.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-Djava.library.path=" + gdalDir, "-Dd4c.gdal.dir=" + gdalDir, "-Dd4c.home=" + System.getProperty("d4c.home")));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", Fixtures.childClasspath(), D4c.class.getName()));
    cmd.addAll(Arrays.asList(args));
    System.err.println("[test] " + String.join(" ", cmd));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
    whileRunning.accept(p);
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("the traced d4c did not finish");
    }
    String t = Files.readString(trace, StandardCharsets.UTF_8);
    System.err.println(Files.readString(tmp.resolve("child.log")) + "\n[trace]\n" + t);
    return t;
  }

  @Test
  void aKillJustBeforeTheExchangeLeavesThePreviousBuildAndTheNextBuildCleansUp() throws Exception {
    Path out = earlierBuild("before-exchange");
    String trace = straced("renameat2:signal=SIGKILL:when=1", List.of(), tmp.resolve("before.trace"),
        "build", v2.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(trace, containsString("RENAME_EXCHANGE"));
    assertThat("killed on entering the exchange, before it ran", trace, anyOf(containsString("RENAME_EXCHANGE) = ?"),
        containsString("<... renameat2 resumed>) = ?"), containsString("<... renameat2 resumed>)          = ?")));
    assertThat(trace, containsString("+++ killed by SIGKILL +++"));
    assertThat("--out still holds the previous build, whole", data(out), equalTo(v1Files));
    assertThat("the killed build's staging folder is left", hidden(out.getParent()).size(), is(1));

    Fixtures.Run next = Fixtures.d4c("build", v2.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(next.toString(), next.exitCode(), is(0));
    assertThat(next.err(), containsString("the staging folder of a killed build"));
    assertThat(complete(out), is(40L));
    assertThat(hidden(out.getParent()), is(empty()));
  }

  @Test
  void aKillRightAfterTheExchangeLeavesTheNewBuildWhole() throws Exception {
    Path out = earlierBuild("after-exchange");
    // The exchange is done; the process waits 20 s in the call's exit, and is killed there.
    Path trace = tmp.resolve("after.trace");
    String t = straced("renameat2:delay_exit=30000000:when=1", List.of(), trace, strace -> {
      try {
        Path manifest = out.resolve("manifest.json");
        for (int i = 0; i < 3000 && strace.isAlive(); i++) {
          if (Files.exists(manifest) && !Hashing.sha256(manifest).equals(v1Files.get("manifest.json"))) {
            // The exchange has put the new build in place; the JVM sits in the call's delayed exit: kill -9 it.
            strace.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            return;
          }
          Thread.sleep(100);
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    }, "build", v2.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(t, containsString("+++ killed by SIGKILL +++"));
    assertThat("--out holds the new build, whole", complete(out), is(40L));
    assertThat("the previous build is left under the staging name", hidden(out.getParent()).size(), is(1));

    Fixtures.Run next = Fixtures.d4c("build", v1.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(next.toString(), next.exitCode(), is(0));
    assertThat(next.err(), containsString("of a killed build"));
    assertThat(data(out), equalTo(v1Files));
    assertThat(hidden(out.getParent()), is(empty()));
  }

  @Test
  void withoutTheExchangeAKillBetweenTheTwoRenamesIsRolledBackByTheNextBuild() throws Exception {
    Path out = earlierBuild("two-renames");
    // Where the file system cannot exchange: old build aside, new one into place, both through renameat2 with no flags,
    // which glibc makes a renameat call (the JDK's own moves are rename calls): killed on entering the second.
    String trace = straced("renameat:signal=SIGKILL:when=2", List.of("-Dd4c.staging.exchange=false"),
        tmp.resolve("between.trace"), "build", v2.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(trace, containsString("+++ killed by SIGKILL +++"));
    assertThat("killed between the two renames: --out is gone", Files.exists(out), is(false));
    assertThat(hidden(out.getParent()).stream().anyMatch(n -> n.startsWith(".out.old-")), is(true));

    Fixtures.Run build = Fixtures.d4c("build", v2.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(build.toString(), build.exitCode(), is(0));
    assertThat(build.err(), containsString("the previous build is back in place"));
    assertThat(complete(out), is(40L));
    assertThat(hidden(out.getParent()), is(empty()));
  }

  @Test
  void aCatalogAddKilledAtAnyOfItsRenamesIsRepairedByTheNextOne() throws Exception {
    Path a = tmp.resolve("cat-builds/a");
    Path b = tmp.resolve("cat-builds/b");
    assertThat(Fixtures.d4c("build", v1.toString(), "--out", a.toString(), "--cache", cache.toString()).exitCode(), is(0));
    assertThat(Fixtures.d4c("build", v2.toString(), "--out", b.toString(), "--cache", cache.toString()).exitCode(), is(0));
    Path base = tmp.resolve("cat-base");
    assertThat(Fixtures.d4c("catalog", "add", a.toString(), "--catalog", base.toString()).exitCode(), is(0));

    // How many renames one add makes (all in the main thread, which strace counts on its own).
    Path counted = tmp.resolve("cat-count");
    Fixtures.copyTree(base, counted);
    String trace = straced(null, List.of(), tmp.resolve("count.trace"), "catalog", "add", b.toString(), "--catalog", counted.toString());
    long renames = trace.lines().filter(l -> l.matches("\\d+ rename\\(.*")).count();
    assertThat(trace, renames >= 3, is(true));

    boolean rowGroupTempSeen = false;
    for (int n = 1; n <= renames; n++) {
      Path cat = tmp.resolve("cat-killed-" + n);
      Fixtures.copyTree(base, cat);
      String t = straced("rename:signal=SIGKILL:when=" + n, List.of(), tmp.resolve("kill-" + n + ".trace"),
          "catalog", "add", b.toString(), "--catalog", cat.toString());
      assertThat(t, containsString("+++ killed by SIGKILL +++"));
      List<String> temps;
      try (var s = Files.walk(cat)) {
        temps = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".tmp")).toList();
      }
      rowGroupTempSeen |= temps.stream().anyMatch(f -> f.startsWith(".catalog-rowgroup."));

      Fixtures.Run next = Fixtures.d4c("catalog", "add", b.toString(), "--catalog", cat.toString());
      assertThat("killed at rename " + n + "\n" + next, next.exitCode(), is(0));
      assertThat(next.err(), containsString("did not finish"));
      assertThat(next.err(), containsString("removed " + temps.size() + " temporary file(s)"));
      Fixtures.Run valid = Fixtures.d4c("catalog", "validate", cat.toString());
      assertThat("killed at rename " + n + "\n" + valid, valid.exitCode(), is(0));
      try (var s = Files.walk(cat)) {
        assertThat(s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".tmp") || f.equals(".d4c-catalog.writing")).toList(), is(empty()));
      }
      Fixtures.Run search = Fixtures.d4c("catalog", "search", "--catalog", cat.toString(), "--format", "json");
      assertThat(search.out(), containsString("killed-a-1.0.0"));
      assertThat(search.out(), containsString("killed-b-1.0.0"));
    }
    assertThat("some kill fell while a row group was written aside", rowGroupTempSeen, is(true));
  }
}
