package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same locked recipe gives the same bytes, every output file and manifest.json, whatever runner, parallelism,
 * split size, time zone, locale, umask or working folder the build ran with. Only run.json may differ.
 *
 * <p>The fixture: one GeoPackage with two layers, 200 points (4 without geometry, hamlets filtered out by {@code where})
 * and 100 polygons (clockwise ones, holes, a bow-tie), with accented names and every attribute type.
 */
class DeterminismIT {
  @TempDir
  static Path tmp;

  static Path recipe;
  static Path cache;
  /** Build (a): Direct runner, parallelism 1; the reference. */
  static Path reference;
  static SortedMap<String, String> expected;

  @BeforeAll
  static void buildReference() throws Exception {
    Fixtures.useStableHome();
    Path recipeDir = tmp.resolve("recipe");
    Files.createDirectories(recipeDir);
    Map<String, List<com.fasterxml.jackson.databind.node.ObjectNode>> layers = new LinkedHashMap<>();
    layers.put("places", Fixtures.places(200, 11, 50));
    layers.put("areas", Fixtures.areas(100, 12));
    Fixtures.geoPackage(recipeDir.resolve("fixture.gpkg"), layers);
    recipe = Fixtures.recipe(recipeDir.resolve("recipe.yaml"), """
        # Determinism fixture: two layers of one GeoPackage, two outputs.
        dataset: determinism
        version: 1.0.0
        title: Déterminisme — Québec, İzmir, Straße
        license: CC0-1.0
        max_reject_fraction: 0.05
        row_group_size: 40
        sources:
          - id: places
            urls: [fixture.gpkg]
            layer: places
            where: "kind <> 'hamlet'"
          - id: areas
            urls: [fixture.gpkg]
            layer: areas
        outputs:
          - name: places
            source: places
          - name: areas
            source: areas
            select: [nom, kind, population]
            rename: {nom: name}
        """);
    cache = tmp.resolve("cache");
    Fixtures.lock(recipe, cache);
    reference = tmp.resolve("builds/a");
    Fixtures.Run a = build(reference, "--parallelism", "1");
    assertThat(a.toString(), a.exitCode(), is(0));
    expected = locked(reference);
  }

  @AfterAll
  static void restoreHome() {
    Fixtures.restoreHome();
  }

  static Fixtures.Run build(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("build", recipe.toString(), "--out", out.toString(),
        "--cache", cache.toString()));
    args.addAll(List.of(extra));
    return d4c(args.toArray(String[]::new));
  }

  /** sha256 of every file of a build but run.json, which records how and when it ran and is not locked. */
  static SortedMap<String, String> locked(Path dir) throws IOException {
    SortedMap<String, String> all = new TreeMap<>(Fixtures.sha256Tree(dir));
    assertThat("run.json is written beside the lock", all.keySet(), hasItem("run.json"));
    all.remove("run.json");
    return all;
  }

  @Test
  void referenceBuildHasWhatTheFixtureHolds() {
    assertThat(expected.keySet(), equalTo(new java.util.TreeSet<>(
        List.of("areas.parquet", "manifest.json", "places.parquet", "rejects.jsonl"))));
    JsonNode m = Fixtures.readJson(reference.resolve("manifest.json"));
    // 200 points: 29 hamlets left out by where; of the 4 without geometry (i = 49, 99, 149, 199) one is a hamlet.
    assertThat(rows(m, "places.parquet"), is(200L - 29 - 3));
    assertThat("the bow-tie is repaired, not rejected", rows(m, "areas.parquet"), is(100L));
    assertThat(m.path("rejects").toString(), m.path("rejects").path("total").asLong(), is(3L));
    assertThat(m.path("rejects").path("by_reason").path("null_geometry").asLong(), is(3L));
    assertThat(m.path("rejects").path("by_source").path("places").asLong(), is(3L));
  }

  private static long rows(JsonNode manifest, String path) {
    for (JsonNode o : manifest.path("outputs")) {
      if (o.path("path").asText().equals(path)) {
        return o.path("rows").asLong();
      }
    }
    throw new AssertionError("the manifest does not list " + path + ": " + manifest.path("outputs"));
  }

  @Test
  void manifestHoldsNoTimeHostOrAbsolutePath() throws Exception {
    String text = Files.readString(reference.resolve("manifest.json"), StandardCharsets.UTF_8);
    assertThat(text, not(containsString(tmp.toString())));
    assertThat(text, not(containsString(tmp.toRealPath().toString())));
    assertThat(text, not(containsString(System.getProperty("java.io.tmpdir"))));
    assertThat(text, not(containsString(System.getProperty("user.home") + "/")));
    assertThat(text, not(containsString("\"" + System.getProperty("user.home") + "\"")));
    assertThat(text, not(containsString(Fixtures.HOME.toString())));
    assertThat(text, not(containsString(Fixtures.stableHome().toString())));
    assertThat(text, not(containsString(java.net.InetAddress.getLocalHost().getHostName())));
    assertThat("no date of today", text, not(containsString(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString())));
    assertThat(text, not(containsString("run.json")));
    JsonNode m = Fixtures.readJson(reference.resolve("manifest.json"));
    List<String> paths = new ArrayList<>();
    m.path("outputs").forEach(o -> paths.add(o.path("path").asText()));
    assertThat(paths, not(hasItem("run.json")));
    assertThat(paths, equalTo(List.of("areas.parquet", "places.parquet", "rejects.jsonl")));
    assertThat(m.path("recipe_path").asText(), is("recipe.yaml"));
    JsonNode run = Fixtures.readJson(reference.resolve("run.json"));
    assertThat("run.json is where time and host go", run.has("started") && run.has("host"), is(true));
  }

  @Test
  void directRunnerParallelism4WithSmallSplitsGivesTheSameBytes() throws IOException {
    Path out = tmp.resolve("builds/b");
    Fixtures.Run b = build(out, "--parallelism", "4", "--features-per-split", "17");
    assertThat(b.toString(), b.exitCode(), is(0));
    assertThat(locked(out), equalTo(expected));
  }

  @Test
  void flinkMiniClusterParallelism2GivesTheSameBytes() throws IOException {
    Path out = tmp.resolve("builds/c");
    Fixtures.Run c = build(out, "--runner", "flink", "--flink-master", "[local]", "--parallelism", "2",
        "--features-per-split", "50");
    assertThat(c.toString(), c.exitCode(), is(0));
    assertThat(locked(out), equalTo(expected));
  }

  @Test
  void otherTimeZoneLocaleUmaskAndWorkingFolderGiveTheSameBytes() throws Exception {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/deeper"));
    boolean trLocale = localeInstalled("tr_TR");
    if (!trLocale) {
      System.err.println("[test] NOTE: the C locale tr_TR.UTF-8 is not installed here (locale -a): only Java's locale"
          + " is Turkish in this run");
    }
    Fixtures.Run d = Fixtures.d4cSubprocess(elsewhere,
        Map.of("TZ", "Pacific/Chatham", "LC_ALL", "tr_TR.UTF-8", "LANG", "tr_TR.UTF-8"),
        List.of("-Duser.timezone=Pacific/Chatham", "-Duser.language=tr", "-Duser.country=TR",
            "-XshowSettings:properties"), "077",
        // Relative paths: resolved against the other working folder.
        "build", "../../recipe/recipe.yaml", "--out", "d", "--cache", cache.toString(), "--parallelism", "2");
    assertThat(d.toString(), d.exitCode(), is(0));
    // The child really ran Turkish in Chatham (-XshowSettings lists its properties on stderr).
    assertThat(d.err(), containsString("user.language = tr"));
    assertThat(d.err(), containsString("user.timezone = Pacific/Chatham"));
    Path out = elsewhere.resolve("d");
    assertThat(locked(out), equalTo(expected));
    // umask 077 reached the child: what it wrote is private, so the umask really was in force.
    var perms = Files.getPosixFilePermissions(out.resolve("places.parquet"));
    assertThat(perms.toString(), perms.stream().filter(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))
        .toList(), empty());
  }

  /**
   * A POSIX locale makes Java 17's default charset US-ASCII (file.encoding, sun.jnu.encoding): any text written with
   * the platform charset would lose the accents. Not in the brief's list but the usual locale of cron jobs and
   * containers.
   */
  @Test
  void posixLocaleGivesTheSameBytes() throws Exception {
    Path elsewhere = Files.createDirectories(tmp.resolve("posix"));
    Fixtures.Run f = Fixtures.d4cSubprocess(elsewhere, Map.of("LC_ALL", "C", "LANG", "C", "TZ", "America/St_Johns"),
        List.of("-XshowSettings:properties"), null, "build", recipe.toString(), "--out", "f", "--cache",
        cache.toString());
    assertThat(f.toString(), f.exitCode(), is(0));
    assertThat("Java's default charset in the child", f.err(), containsString("file.encoding = ANSI_X3.4-1968"));
    assertThat(locked(elsewhere.resolve("f")), equalTo(expected));
  }

  @Test
  void sameBuildAgainGivesTheSameBytes() throws IOException {
    Path out = tmp.resolve("builds/e");
    Fixtures.Run e = build(out, "--parallelism", "1");
    assertThat(e.toString(), e.exitCode(), is(0));
    assertThat(locked(out), equalTo(expected));
  }

  private static boolean localeInstalled(String prefix) {
    try {
      Process p = new ProcessBuilder("locale", "-a").redirectErrorStream(true).start();
      String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return all.lines().anyMatch(l -> l.startsWith(prefix));
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
