package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
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
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.d4c.core.hash.Hashing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad recipes and bad sources: each fails with its exit code and a message naming the file, field or source, and
 * leaves nothing behind — a new --out folder is not created, no staging folder is left beside it, and an earlier build
 * in --out is left as it was.
 */
class BadInputIT {
  @TempDir
  static Path tmp;

  static Path data;
  static Path cache;
  static Path builds;
  static Path earlier;
  static SortedMap<String, String> earlierFiles;

  /** The recipe head every case shares; {@code %s} is extra top-level YAML. */
  static final String HEAD = """
      dataset: bad-input
      version: 1.0.0
      title: Bad input
      license: CC0-1.0
      %s
      """;

  @BeforeAll
  static void earlierBuild() throws Exception {
    Fixtures.useStableHome();
    data = Files.createDirectories(tmp.resolve("data"));
    cache = tmp.resolve("cache");
    builds = Files.createDirectories(tmp.resolve("builds"));
    Map<String, List<com.fasterxml.jackson.databind.node.ObjectNode>> layers = new LinkedHashMap<>();
    layers.put("ten", Fixtures.places(10, 3, 5)); // features 5 and 10 (i = 4, 9) have no geometry
    layers.put("areas", Fixtures.areas(5, 4));
    Fixtures.geoPackage(data.resolve("fixture.gpkg"), layers);
    // The earlier build, which every failing build below must leave alone: 2 of 10 rejected, 0.25 allowed.
    Path good = locked("good.yaml", HEAD.formatted("max_reject_fraction: 0.25") + """
        sources:
          - id: src
            urls: [fixture.gpkg]
            layer: ten
        """);
    earlier = builds.resolve("earlier");
    Fixtures.Run r = d4c("build", good.toString(), "--out", earlier.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    earlierFiles = Fixtures.sha256Tree(earlier);
  }

  @AfterAll
  static void restoreHome() {
    Fixtures.restoreHome();
  }

  static Path recipe(String name, String yaml) throws IOException {
    return Fixtures.recipe(data.resolve(name), yaml);
  }

  static Path locked(String name, String yaml) throws IOException {
    return Fixtures.lock(recipe(name, yaml), cache);
  }

  /**
   * Builds {@code recipe} into a new folder and over the earlier build; both must fail with {@code exitCode} and
   * leave nothing behind. Returns the first run.
   */
  static Fixtures.Run fails(Path recipe, int exitCode, String... extra) throws IOException {
    Path fresh = builds.resolve("fresh");
    Fixtures.Run first = build(recipe, fresh, extra);
    assertThat(first.toString(), first.exitCode(), is(exitCode));
    assertThat("the message names the user's files, not the hidden staging folder the build reads them from",
        first.err(), not(containsString(".building-")));
    assertThat("a failed build creates no --out folder", Files.exists(fresh), is(false));
    assertThat("nothing beside --out either (no .fresh.building-*)", Fixtures.names(builds), equalTo(List.of("earlier")));

    Fixtures.Run second = build(recipe, earlier, extra);
    assertThat(second.toString(), second.exitCode(), is(exitCode));
    assertThat("the earlier build in --out is left as it was", Fixtures.sha256Tree(earlier), equalTo(earlierFiles));
    assertThat("no .earlier.building-* or .earlier.old-* left", Fixtures.names(builds), equalTo(List.of("earlier")));
    return first;
  }

  static Fixtures.Run build(Path recipe, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("build", recipe.toString(), "--out", out.toString(),
        "--cache", cache.toString(), "--parallelism", "2"));
    args.addAll(List.of(extra));
    return d4c(args.toArray(String[]::new));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Recipes

  static Stream<Arguments> invalidRecipes() {
    String source = """
        sources:
          - id: src
            urls: [fixture.gpkg]
            layer: ten
        """;
    return Stream.of(
        Arguments.of("bad-sha256.yaml", HEAD.formatted("") + source + "    sha256: 3f2a9c0dZZ\n    size: 1\n",
            "sources[0].sha256: expected 64 lowercase hex characters"),
        Arguments.of("typo-top-level.yaml", HEAD.formatted("max_reject_fractoin: 0.1") + source,
            "max_reject_fractoin: unknown field"),
        Arguments.of("typo-in-source.yaml", HEAD.formatted("") + source + "    layr: ten\n",
            "sources[0].layr: unknown field"),
        Arguments.of("no-dataset.yaml", HEAD.formatted("").replace("dataset: bad-input\n", "") + source,
            "dataset: required field is missing"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRecipes")
  void anInvalidRecipeIsRejectedNamingTheField(String name, String yaml, String problem) throws IOException {
    Path recipe = recipe(name, yaml);
    Fixtures.Run r = fails(recipe, 2);
    assertThat(r.err(), containsString(recipe + ": " + problem));
  }

  @Test
  void anUnlockedRecipeTellsToRunLock() throws IOException {
    Path recipe = recipe("unlocked.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [fixture.gpkg]
            layer: ten
        """);
    Fixtures.Run r = fails(recipe, 2);
    assertThat(r.err(), allOf(containsString(recipe + ": sources[0] (src): not locked"),
        containsString("run ./d4c lock " + recipe)));
  }

  @Test
  void aSelectOfAFieldTheSourceLacksNamesTheOutputAndTheField() throws IOException {
    Path recipe = locked("select.yaml", HEAD.formatted("max_reject_fraction: 0.25") + """
        sources:
          - id: src
            urls: [fixture.gpkg]
            layer: ten
        outputs:
          - name: towns
            source: src
            select: [nom, populaton]
        """);
    Path fresh = builds.resolve("fresh");
    Fixtures.Run r = build(recipe, fresh);
    assertThat("a mistake in the recipe: exit 2, as the README says\n" + r, r.exitCode(), is(2));
    Fixtures.Run again = fails(recipe, r.exitCode());
    assertThat(again.err(), allOf(containsString("output 'towns'"), containsString("'populaton'"),
        containsString("nom")));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Sources

  @Test
  void aSourceWhoseBytesAreNotTheLockedOnesNamesTheSourceAndBothHashes() throws IOException {
    String actual = Hashing.sha256(data.resolve("fixture.gpkg"));
    String wrong = Hashing.sha256("something else".getBytes(StandardCharsets.UTF_8));
    Path recipe = recipe("wrong-hash.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [fixture.gpkg]
            layer: ten
            sha256: %s
            size: %d
        """.formatted(wrong, Files.size(data.resolve("fixture.gpkg"))));
    Fixtures.Run r = fails(recipe, 3);
    assertThat(r.err(), allOf(containsString("source src"), containsString("expected sha256 " + wrong),
        containsString("got sha256 " + actual)));
  }

  /**
   * The cache is trusted by its file names, but an entry can change in place (disk damage, an edit) and keep its
   * size. Such an entry must not be built from: fetched again from the source, the build gives the locked bytes.
   */
  @Test
  void aDamagedCacheEntryOfTheSameSizeIsFetchedAgain() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("damaged"));
    Fixtures.geoPackage(dir.resolve("own.gpkg"), Map.of("places", Fixtures.places(20, 5, 0)));
    Path ownCache = dir.resolve("cache");
    Path recipe = Fixtures.lock(Fixtures.recipe(dir.resolve("recipe.yaml"),
        Fixtures.oneSourceRecipe("damaged", "own.gpkg", "places", "")), ownCache);
    Fixtures.Run clean = d4c("build", recipe.toString(), "--out", dir.resolve("clean").toString(), "--cache",
        ownCache.toString());
    assertThat(clean.toString(), clean.exitCode(), is(0));

    damageQuebec(cacheEntry(ownCache, Hashing.sha256(dir.resolve("own.gpkg"))));
    Fixtures.Run r = d4c("build", recipe.toString(), "--out", dir.resolve("again").toString(), "--cache",
        ownCache.toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    SortedMap<String, String> again = Fixtures.sha256Tree(dir.resolve("again"));
    SortedMap<String, String> expected = Fixtures.sha256Tree(dir.resolve("clean"));
    again.remove("run.json");
    expected.remove("run.json");
    assertThat("built from the locked bytes, not from the damaged cache entry", again, equalTo(expected));
  }

  /** The same one-byte change in the cache entry and at the source's URL: there are no locked bytes to build from. */
  @Test
  void aSourceChangedInTheCacheAndAtItsUrlIsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("changed"));
    Path gpkg = Fixtures.geoPackage(dir.resolve("own.gpkg"), Map.of("places", Fixtures.places(20, 6, 0)));
    Path ownCache = dir.resolve("cache");
    Path recipe = Fixtures.lock(Fixtures.recipe(dir.resolve("recipe.yaml"),
        Fixtures.oneSourceRecipe("changed", "own.gpkg", "places", "")), ownCache);
    String locked = Hashing.sha256(gpkg);
    damageQuebec(cacheEntry(ownCache, locked));
    damageQuebec(gpkg);
    String actual = Hashing.sha256(gpkg);

    Path out = dir.resolve("out");
    Fixtures.Run r = d4c("build", recipe.toString(), "--out", out.toString(), "--cache", ownCache.toString());
    assertThat("a build from bytes other than the locked ones must fail\n" + r, r.exitCode(), is(3));
    assertThat(r.err(), allOf(containsString("source src"), containsString("expected sha256 " + locked),
        containsString("got sha256 " + actual)));
    assertThat(Fixtures.names(dir), equalTo(List.of("cache", "own.gpkg", "recipe.yaml")));
  }

  static Path cacheEntry(Path cache, String sha256) {
    Path entry = cache.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256);
    assertThat("in the cache: " + entry, Files.isRegularFile(entry), is(true));
    return entry;
  }

  /** "Québec" -> "Xuébec" in place: one byte, same size. */
  static void damageQuebec(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = text.indexOf(new String("Québec".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    assertThat("Québec is in " + file, at, greaterThan(0));
    bytes[at] = 'X';
    Files.write(file, bytes);
  }

  @Test
  void aMissingLayerListsTheLayersThereAre() throws IOException {
    Path recipe = locked("missing-layer.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [fixture.gpkg]
            layer: nope
        """);
    Fixtures.Run r = fails(recipe, 3);
    assertThat(r.err(), allOf(containsString("source 'src'"), containsString("no layer named 'nope'"),
        containsString("[ten, areas]")));
  }

  /** "Nothing written" includes the folders above --out that the build would have needed. */
  @Test
  void aFailedBuildCreatesNoFoldersAboveOut() throws IOException {
    Path recipe = locked("missing-layer-2.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [fixture.gpkg]
            layer: nope
        """);
    Path parent = tmp.resolve("new-parent");
    Fixtures.Run r = build(recipe, parent.resolve("deeper/out"));
    assertThat(r.toString(), r.exitCode(), is(3));
    List<String> left = new ArrayList<>();
    if (Files.exists(parent)) {
      try (Stream<Path> s = Files.walk(parent)) {
        s.forEach(p -> left.add(tmp.relativize(p).toString()));
      }
    }
    assertThat("left behind: " + left, Files.exists(parent), is(false));
  }

  @Test
  void aTruncatedGeoPackageIsASourceProblem() throws Exception {
    Path big = Fixtures.geoPackage(data.resolve("big.gpkg"), Map.of("places", Fixtures.places(300, 9, 0)));
    byte[] all = Files.readAllBytes(big);
    Files.write(data.resolve("truncated.gpkg"), java.util.Arrays.copyOf(all, all.length / 2));
    Path recipe = locked("truncated.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [truncated.gpkg]
            layer: places
        """);
    Fixtures.Run r = fails(recipe, 3);
    assertThat(r.err(), allOf(containsString("source 'src'"), containsString("truncated.gpkg"),
        containsString("GDAL cannot open it")));
  }

  /**
   * A GeoPackage that opens (header, schema and feature count intact) but one of its data pages is damaged: GDAL
   * reports the error in the middle of the layer. The build must fail, not write the features before the damage.
   */
  @Test
  void aGeoPackageDamagedInTheMiddleIsASourceProblemNotAShorterOutput() throws Exception {
    Path big = data.resolve("big2.gpkg");
    Fixtures.geoPackage(big, Map.of("places", Fixtures.places(300, 9, 0)));
    byte[] bytes = Files.readAllBytes(big);
    int pageSize = ((bytes[16] & 0xff) << 8) | (bytes[17] & 0xff);
    String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = latin1.indexOf(new String("Québec 154".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    assertThat("the record of feature 155 is in the file", at, greaterThan(pageSize));
    int page = at / pageSize;
    assertThat("a table leaf page", bytes[page * pageSize], is((byte) 0x0d));
    bytes[page * pageSize] = 0x42; // not a b-tree page type: SQLite says "database disk image is malformed"
    Files.write(data.resolve("damaged.gpkg"), bytes);
    Path recipe = locked("damaged.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [damaged.gpkg]
            layer: places
        """);
    Fixtures.Run r = fails(recipe, 3);
    assertThat(r.err(), allOf(containsString("source 'src'"), containsString("damaged.gpkg")));
  }

  @Test
  void aZipWithAnEntryOutsideItselfIsRefused() throws IOException {
    Path zip = data.resolve("evil.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      z.putNextEntry(new ZipEntry("../evil.geojson"));
      z.write(Files.readAllBytes(Fixtures.writeGeoJson(tmp.resolve("evil.geojson"), Fixtures.places(3, 1, 0))));
      z.closeEntry();
    }
    Path recipe = locked("zip-slip.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [evil.zip]
        """);
    Fixtures.Run r = fails(recipe, 3);
    assertThat(r.err(), allOf(containsString("zip-slip"), containsString("\"../evil.geojson\"")));
    // Named as the user knows it (source id or file name), not only by its content-addressed path in the cache.
    assertThat(r.err(), anyOf(containsString("'src'"), containsString("evil.zip")));
  }

  @Test
  void aZipWithASymbolicLinkSaysWhyItIsRefused() throws Exception {
    // What `zip -y` writes for a link: an entry with Unix mode 0120777 whose content is the link's target.
    try (var z = new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(data.resolve("linked.zip").toFile())) {
      var e = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("places.geojson");
      e.setUnixMode(0120777);
      z.putArchiveEntry(e);
      z.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
      z.closeArchiveEntry();
    }
    Path recipe = locked("symlink.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [linked.zip]
            path: places.geojson
        """);
    Fixtures.Run r = fails(recipe, 3);
    assertThat(r.err(), allOf(containsString("source 'src' (linked.zip)"), containsString("\"places.geojson\" is a symbolic link"),
        containsString("/etc/passwd"), containsString("put the file itself in the zip")));
  }

  /**
   * 200 MB of zeros deflate to about 200 KB (ratio about 1000, the limit is {@code SourceFiles.MAX_RATIO} 200): the
   * guard refuses it from the sizes the zip declares, before GDAL inflates anything.
   */
  @Test
  void aZipBombIsRefused() throws IOException {
    Path zip = data.resolve("bomb.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      z.setLevel(Deflater.BEST_COMPRESSION);
      z.putNextEntry(new ZipEntry("bomb.geojson"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 200; i++) {
        z.write(zeros);
      }
      z.closeEntry();
    }
    assertThat("compresses well", Files.size(zip), lessThan(1_000_000L));
    Path recipe = locked("zip-bomb.yaml", HEAD.formatted("") + """
        sources:
          - id: src
            urls: [bomb.zip]
        """);
    long started = System.nanoTime();
    Fixtures.Run r = fails(recipe, 3);
    assertThat(r.err(), containsString("zip bomb"));
    assertThat(r.err(), anyOf(containsString("'src'"), containsString("bomb.zip")));
    assertThat("refused quickly, without inflating", (System.nanoTime() - started) / 1e9, lessThan(60.0));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Rejects

  @Test
  void moreRejectsThanAllowedFailWithCountsByReason() throws IOException {
    Path recipe = locked("no-rejects-allowed.yaml", HEAD.formatted("max_reject_fraction: 0") + """
        sources:
          - id: src
            urls: [fixture.gpkg]
            layer: ten
        """);
    Fixtures.Run r = fails(recipe, 4);
    assertThat(r.err(), allOf(containsString("2 of 10 records were rejected"), containsString("null_geometry=2"),
        containsString("max_reject_fraction")));
  }

  @Test
  void rejectsWithinTheThresholdAreKeptAndLocked() throws IOException {
    // The earlier build: 2 of 10 without geometry, max_reject_fraction 0.25.
    List<String> lines = Files.readAllLines(earlier.resolve("rejects.jsonl"), StandardCharsets.UTF_8);
    assertThat(lines.toString(), lines.size(), is(2));
    List<Long> fids = new ArrayList<>();
    for (String line : lines) {
      JsonNode j = Fixtures.JSON.readTree(line);
      assertThat(line, j.path("source").asText(), is("src"));
      assertThat(line, j.path("reason").asText(), is("null_geometry"));
      fids.add(j.path("fid").asLong());
    }
    assertThat(fids, equalTo(List.of(5L, 10L)));

    JsonNode m = Fixtures.readJson(earlier.resolve("manifest.json"));
    assertThat(m.path("rejects").path("total").asLong(), is(2L));
    assertThat(m.path("rejects").path("by_reason").path("null_geometry").asLong(), is(2L));
    JsonNode listed = null;
    for (JsonNode o : m.path("outputs")) {
      if (o.path("path").asText().equals("rejects.jsonl")) {
        listed = o;
      }
    }
    assertThat("the manifest lists rejects.jsonl: " + m.path("outputs"), listed != null, is(true));
    assertThat(listed.path("role").asText(), is("rejects"));
    assertThat(listed.path("rows").asLong(), is(2L));
    assertThat(listed.path("sha256").asText(), is(earlierFiles.get("rejects.jsonl")));
  }

  @Test
  void aNonEmptyOutFolderThatHoldsNoBuildIsLeftAlone() throws IOException {
    Path foreign = Files.createDirectories(builds.resolve("not-a-build"));
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    Path recipe = data.resolve("good.yaml");
    try {
      Fixtures.Run r = build(recipe, foreign);
      assertThat(r.toString(), r.exitCode(), is(1));
      assertThat(r.err(), containsString("holds no earlier build"));
      assertThat(Fixtures.names(foreign), equalTo(List.of("notes.txt")));
      assertThat(Fixtures.names(builds), equalTo(List.of("earlier", "not-a-build")));
    } finally {
      Fixtures.deleteTree(foreign);
    }
  }
}
