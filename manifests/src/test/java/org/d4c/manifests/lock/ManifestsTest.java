package org.d4c.manifests.lock;

import org.d4c.core.hash.Hashing;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestsTest {
  static final String SHA = "3f2a9c0d5e6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c0b1a2f";
  @TempDir Path tmp;

  Manifest manifest(Path buildDir) throws Exception {
    Recipe recipe = Recipes.parse("""
        dataset: ca-provinces
        version: 1.0.0
        title: Provinces
        license: CC0-1.0
        max_reject_fraction: 0.01
        sources:
          - id: ne
            urls: [data/ne.gpkg, "https://example.org/ne.gpkg?v=2"]
            sha256: %s
            size: 42
        """.formatted(SHA), tmp.resolve("repo/pipelines/recipes/ca/recipe.yaml"));
    Files.createDirectories(buildDir.resolve("rejects"));
    Path data = Files.writeString(buildDir.resolve("provinces.parquet"), "PAR1 fake");
    Path rejects = Files.writeString(buildDir.resolve("rejects/provinces.parquet"), "PAR1 rejects");
    return Manifest.of(recipe, "pipelines/recipes/ca/recipe.yaml",
        new CodeVersion("0123456789abcdef0123456789abcdef01234567", false, "https://github.com/d4c/d4c.git"),
        new Manifest.Environment(Map.of("environments/gdal-java.sh", SHA), Map.of("java", "17", "gdal", "3.6.2", "beam", "2.62.0")),
        Map.of("runner", "direct", "shards", 1, "sort_key", "hilbert", "sample", 0.5, "strict", true),
        List.of(Manifest.OutputFile.of(buildDir, rejects, 1, Manifest.OutputFile.PARQUET, Manifest.OutputFile.REJECTS),
            Manifest.OutputFile.of(buildDir, data, 13, Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA)),
        new Manifest.Rejects(1, Map.of("invalid_geometry", 1L), Map.of("ne", 1L)));
  }

  @Test
  void writtenTwiceIsByteIdenticalAndReadsBack() throws Exception {
    Path build = Files.createDirectories(tmp.resolve("build"));
    Manifest m = manifest(build);
    Path f = Manifests.write(build, m);
    byte[] first = Files.readAllBytes(f);
    Manifests.write(build, manifest(build));
    assertThat(Files.readAllBytes(f), equalTo(first));
    Manifest back = Manifests.read(f);
    assertThat(back, equalTo(m));
    Manifests.write(build, back);
    assertThat(Files.readAllBytes(f), equalTo(first));
  }

  @Test
  void layoutIsSnakeCaseSortedAndHasNoAbsolutePathsOrSecrets() throws Exception {
    Path build = Files.createDirectories(tmp.resolve("build"));
    String json = Files.readString(Manifests.write(build, manifest(build)), StandardCharsets.UTF_8);
    assertThat(json, allOf(containsString("\"manifest_version\": 1,"), containsString("\"build_type\": \"d4c-build/v1\","),
        containsString("\"recipe_path\": \"pipelines/recipes/ca/recipe.yaml\","),
        containsString("\"media_type\": \"application/vnd.apache.parquet\","),
        containsString("\"by_reason\": {\n      \"invalid_geometry\": 1\n    },"),
        containsString("\"parameters\": {\n    \"runner\": \"direct\",\n    \"sample\": 0.5,\n    \"shards\": 1,\n    \"sort_key\": \"hilbert\",\n    \"strict\": true\n  },"),
        containsString("\"software\": {\n        \"beam\": \"2.62.0\",\n        \"gdal\": \"3.6.2\",\n        \"java\": \"17\"\n      }"),
        containsString("\"https://example.org/ne.gpkg?v=2\"")));
    // outputs sorted by path: provinces.parquet before rejects/provinces.parquet
    assertThat(json.indexOf("\"path\": \"provinces.parquet\"") < json.indexOf("\"path\": \"rejects/provinces.parquet\""), equalTo(true));
    assertThat(json, allOf(not(containsString(tmp.toString())), not(containsString("\r"))));
    assertThat(json.endsWith("}\n"), equalTo(true));
  }

  @Test
  void readRejectsForeignAndBrokenFilesClearly() throws Exception {
    Path foreign = Files.writeString(tmp.resolve("package.json"), "{\"name\": \"x\"}");
    ManifestException e = assertThrows(ManifestException.class, () -> Manifests.read(foreign));
    assertThat(e.getMessage(), equalTo(foreign + ": not a d4c manifest: no manifest_version or build_type"));

    Path build = Files.createDirectories(tmp.resolve("build"));
    Path f = Manifests.write(build, manifest(build));
    String bad = Files.readString(f).replace("\"sha256\": \"" + SHA + "\"", "\"sha256\": \"XYZ\"")
        .replace("\"manifest_version\": 1", "\"manifest_version\": 2");
    Files.writeString(f, bad);
    e = assertThrows(ManifestException.class, () -> Manifests.read(f));
    assertThat(e.getMessage(), containsString(f + ": manifest_version: expected 1 (the only manifest version this d4c reads), got 2"));
    assertThat(e.getMessage(), containsString(f + ": resolved_dependencies.sources[0].sha256: expected 64 lowercase hex characters, got \"XYZ\""));

    Files.writeString(f, "{not json");
    assertThat(assertThrows(ManifestException.class, () -> Manifests.read(f)).getMessage(), containsString(f + ": not JSON"));
  }

  @Test
  void recipePathIsRelativeToTheRepoOrJustTheName() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Path recipe = Files.createDirectories(repo.resolve("pipelines/recipes/x")).resolve("recipe.yaml");
    Files.writeString(recipe, "x");
    assertThat(Manifests.recipePath(recipe, repo), equalTo("pipelines/recipes/x/recipe.yaml"));
    assertThat(Manifests.recipePath(recipe, tmp.resolve("elsewhere")), equalTo("recipe.yaml"));
    assertThat(Manifests.recipePath(recipe, null), equalTo("recipe.yaml"));
    assertThrows(IllegalArgumentException.class, () -> new Manifest.OutputFile("/abs/x.parquet", SHA, 1, 1, "x", "data"));
    assertThrows(IllegalArgumentException.class, () -> new Manifest.OutputFile("../x.parquet", SHA, 1, 1, "x", "data"));
  }

  @Test
  void environmentDigestHashesEveryFileSorted() throws Exception {
    Path repo = tmp.resolve("repo");
    Path env = Files.createDirectories(repo.resolve("environments/sub"));
    Files.writeString(env.resolve("z.sh"), "z");
    Files.writeString(env.resolve("a.txt"), "a");
    Files.writeString(repo.resolve("environments/gdal-java.sh"), "g");
    var d = EnvironmentDigest.of(repo.resolve("environments"), repo);
    assertThat(List.copyOf(d.keySet()), equalTo(List.of("environments/gdal-java.sh", "environments/sub/a.txt", "environments/sub/z.sh")));
    assertThat(d.get("environments/sub/a.txt"), equalTo(Hashing.sha256("a".getBytes(StandardCharsets.UTF_8))));
    assertThat(EnvironmentDigest.of(repo.resolve("nope"), repo).isEmpty(), equalTo(true));
  }

  @Test
  void outputCheckReportsEachDifference() throws Exception {
    Path build = Files.createDirectories(tmp.resolve("build"));
    Manifest m = manifest(build);
    Path copy = Files.createDirectories(tmp.resolve("rebuild/rejects"));
    Files.writeString(tmp.resolve("rebuild/provinces.parquet"), "PAR1 fakE"); // same size, other bytes
    List<OutputCheck.Result> r = OutputCheck.compare(m, tmp.resolve("rebuild"));
    assertThat(r.get(0).status(), equalTo(OutputCheck.Status.SHA256_DIFFERS));
    assertThat(r.get(0).expected(), equalTo(Hashing.sha256(build.resolve("provinces.parquet"))));
    assertThat(r.get(1).toString(), equalTo("rejects/provinces.parquet: missing"));
    Files.writeString(copy.resolve("provinces.parquet"), "PAR1");
    assertThat(OutputCheck.compare(m, tmp.resolve("rebuild")).get(1).toString(),
        equalTo("rejects/provinces.parquet: size differs: expected 12 bytes, got 4"));
    assertThat(OutputCheck.allOk(OutputCheck.compare(m, build)), equalTo(true));
  }
}
