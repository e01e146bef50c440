package org.d4c.manifests.recipe;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.d4c.core.json.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecipesTest {
  static Path fixtures(String kind) throws URISyntaxException {
    return Path.of(RecipesTest.class.getResource("/recipes/" + kind).toURI());
  }

  static Stream<Path> valid() throws Exception {
    return list(fixtures("valid"));
  }

  static Stream<Path> invalid() throws Exception {
    return list(fixtures("invalid"));
  }

  private static Stream<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat("fixtures in " + dir, files, not(empty()));
      return files.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("valid")
  void everyValidFixtureLoads(Path file) {
    Recipe r = Recipes.load(file);
    assertThat(r.outputs(), not(empty()));
    for (Output o : r.outputs()) {
      // An output reads a source, or another output (an aggregate level built from the level below).
      assertThat(r.source(o.source()).isPresent() || r.outputs().stream().anyMatch(x -> x.name().equals(o.source())),
          equalTo(true));
    }
  }

  /** Each invalid fixture says, in "# expect:" lines, what its error message must contain. */
  @ParameterizedTest
  @MethodSource("invalid")
  void everyInvalidFixtureFailsNamingTheField(Path file) throws IOException {
    List<String> expected = Files.readAllLines(file).stream()
        .filter(l -> l.startsWith("# expect: ")).map(l -> l.substring("# expect: ".length())).toList();
    assertThat("fixture has # expect: lines", expected, not(empty()));
    RecipeException e = assertThrows(RecipeException.class, () -> Recipes.load(file));
    for (String s : expected) assertThat(e.getMessage(), containsString(s));
    for (String line : e.getMessage().split("\n")) assertThat(line, containsString(file.toString() + ": "));
  }

  @Test
  void messageNamesFileFieldAndValueOnOneLine() {
    Path file = Path.of("pipelines/recipes/x/recipe.yaml");
    String yaml = """
        dataset: x
        version: 1.0.0
        title: X
        license: MIT
        sources:
          - id: a
            urls: [a.gpkg]
            sha256: abc
        """;
    RecipeException e = assertThrows(RecipeException.class, () -> Recipes.parse(yaml, file));
    assertThat(e.getMessage(), equalTo(
        "pipelines/recipes/x/recipe.yaml: sources[0].sha256: expected 64 lowercase hex characters, got \"abc\""));
  }

  @Test
  void reportsAllSchemaProblemsAtOnce() {
    String yaml = """
        dataset: Bad Slug
        version: one
        title: X
        license: MIT
        colour: red
        sources:
          - id: a
            urls: [a.gpkg]
            size: -5
        """;
    RecipeException e = assertThrows(RecipeException.class, () -> Recipes.parse(yaml, Path.of("r.yaml")));
    assertThat(e.problems(), hasSize(4));
    assertThat(e.problems().get(0), containsString("colour: unknown field"));
    assertThat(e.getMessage(), containsString("r.yaml: dataset: expected a slug"));
    assertThat(e.getMessage(), containsString("r.yaml: version: expected a semantic version"));
    assertThat(e.getMessage(), containsString("r.yaml: sources[0].size: must have a minimum value of 0, got -5"));
  }

  @Test
  void appliesDefaults() throws Exception {
    Recipe r = Recipes.load(fixtures("valid").resolve("minimal.yaml"));
    assertThat(r.crs(), equalTo("OGC:CRS84"));
    assertThat(r.maxRejectFraction(), equalTo(0.0));
    assertThat(r.rowGroupSize(), equalTo(100_000L));
    assertThat(r.maxRowsPerFile(), equalTo(10_000_000L));
    assertThat(r.nativeGeometry(), equalTo(false));
    assertThat(r.promoteToMulti(), equalTo(true));
    assertThat(r.outputs(), equalTo(List.of(new Output("tiny", "points", List.of(), java.util.Map.of()))));
    assertThat(r.sources().get(0).openOptions(), equalTo(List.of("X_POSSIBLE_NAMES=lon", "Y_POSSIBLE_NAMES=lat")));
    assertThat(r.recipeDir(), equalTo(fixtures("valid")));
  }

  @Test
  void canonicalJsonHasDefaultsAndNoFilePath() throws Exception {
    Recipe r = Recipes.load(fixtures("valid").resolve("minimal.yaml"));
    assertThat(CanonicalJson.toString(r.toCanonicalJson()), equalTo("""
        {
          "crs": "OGC:CRS84",
          "dataset": "tiny",
          "license": "ODbL-1.0",
          "max_reject_fraction": 0,
          "max_rows_per_file": 10000000,
          "native_geometry": false,
          "outputs": [
            {
              "name": "tiny",
              "source": "points"
            }
          ],
          "promote_to_multi": true,
          "row_group_size": 100000,
          "sources": [
            {
              "id": "points",
              "open_options": [
                "X_POSSIBLE_NAMES=lon",
                "Y_POSSIBLE_NAMES=lat"
              ],
              "sha256": "3f2a9c0d5e6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c0b1a2f",
              "size": 10,
              "urls": [
                "points.csv"
              ]
            }
          ],
          "title": "Smallest valid recipe",
          "version": "0.1.0"
        }
        """));
  }

  @Test
  void footprintIsReadAndReachesTheCanonicalJsonOnlyWhenDeclared() throws Exception {
    String yaml = Files.readString(fixtures("valid").resolve("census-profile.yaml"));
    Recipe without = Recipes.parse(yaml, null);
    assertThat(without.footprint(), empty());
    assertThat(CanonicalJson.toString(without.toCanonicalJson()), not(containsString("footprint")));
    Recipe with = Recipes.parse(yaml.replace("datetime: 2022-02-09\n",
        "datetime: 2022-02-09\nfootprint: {bbox: [-141.01, 41.67, -52.6, 83.11]}\n"), null);
    assertThat(with.footprint(), equalTo(List.of(-141.01, 41.67, -52.6, 83.11)));
    assertThat(CanonicalJson.toString(with.toCanonicalJson()),
        containsString("\"footprint\": {\n    \"bbox\": [\n      -141.01,\n      41.67,\n      -52.6,\n      83.11\n    ]\n  },"));
    assertThat(with.withSources(with.sources()).footprint(), equalTo(with.footprint()));
  }

  @Test
  void canonicalJsonKeepsSelectRenameAndFractions() throws Exception {
    Recipe r = Recipes.load(fixtures("valid").resolve("multi-source.yaml"));
    String json = CanonicalJson.toString(r.toCanonicalJson());
    assertThat(json, containsString("\"max_reject_fraction\": 0.05,"));
    assertThat(json, containsString("\"rename\": {\n        \"class\": \"kind\",\n        \"length_km\": \"length\"\n      },"));
    assertThat(r.outputs().get(1).outputName("class"), equalTo("kind"));
    assertThat(r.outputs().get(1).rename().keySet().iterator().next(), equalTo("length_km")); // order as written
  }

  @Test
  void requireLockedSaysToRunLock() throws Exception {
    Path file = fixtures("valid").resolve("multi-source.yaml");
    Recipe r = Recipes.load(file);
    RecipeException e = assertThrows(RecipeException.class, r::requireLocked);
    assertThat(e.getMessage(), equalTo(file + ": sources[1] (rivers): not locked, sha256 and size are missing; run ./d4c lock " + file));
    Recipes.load(fixtures("valid").resolve("ca-provinces.yaml")).requireLocked();
  }
}
