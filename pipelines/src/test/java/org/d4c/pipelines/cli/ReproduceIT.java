package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.d4c.core.hash.Hashing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code d4c reproduce MANIFEST}: rebuilds from the manifest alone and says plainly whether the bytes match; a
 * changed source, a manifest that records other bytes, or a file that is no manifest each get their own answer.
 */
class ReproduceIT {
  @TempDir
  static Path tmp;

  static Path cache;
  static Path built;

  @BeforeAll
  static void build() throws Exception {
    Fixtures.useStableHome();
    cache = tmp.resolve("cache");
    built = buildFixture(tmp.resolve("shared"), cache);
  }

  @AfterAll
  static void restoreHome() {
    Fixtures.restoreHome();
  }

  /**
   * 30 points in a GeoPackage, a recipe naming it by an absolute file: URL (so a source fetched again comes from that
   * file), locked and built into {@code dir/out}.
   */
  static Path buildFixture(Path dir, Path cache) throws Exception {
    Path gpkg = Fixtures.geoPackage(Files.createDirectories(dir).resolve("fixture.gpkg"),
        Map.of("places", Fixtures.places(30, 7, 0)));
    Path recipe = Fixtures.recipe(dir.resolve("recipe.yaml"),
        Fixtures.oneSourceRecipe("repro", gpkg.toUri().toString(), "places", ""));
    Fixtures.lock(recipe, cache);
    Path out = dir.resolve("out");
    Fixtures.Run r = d4c("build", recipe.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    return out;
  }

  @Test
  void reproducesItsOwnBuild() {
    Fixtures.Run r = d4c("reproduce", built.resolve("manifest.json").toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    assertThat(r.out(), containsString("ok        repro.parquet: ok"));
    assertThat(r.out(), containsString("Reproduced: every output is bit-identical to the manifest, and so is the"
        + " manifest itself."));
  }

  @Test
  void oneByteChangedInTheSourceIsCaughtByItsHash() throws Exception {
    Path dir = tmp.resolve("changed-source");
    Path ownCache = tmp.resolve("changed-source-cache");
    Path out = buildFixture(dir, ownCache);
    String locked = Fixtures.readJson(out.resolve("manifest.json"))
        .path("resolved_dependencies").path("sources").get(0).path("sha256").asText();
    Path cached = ownCache.resolve("sha256").resolve(locked.substring(0, 2)).resolve(locked);
    assertThat("the source is in the cache under its hash", Files.isRegularFile(cached), is(true));

    // The same one-byte change (same size) in the cache entry and in the original file: "Québec" -> "Québed".
    flipQuebec(cached);
    flipQuebec(dir.resolve("fixture.gpkg"));
    String actual = Hashing.sha256(dir.resolve("fixture.gpkg"));
    assertThat(Hashing.sha256(cached), is(actual));

    Fixtures.Run r = d4c("reproduce", out.resolve("manifest.json").toString(), "--cache", ownCache.toString());
    assertThat(r.toString(), r.exitCode(), not(is(0)));
    assertThat("a source problem, not a difference in outputs\n" + r, r.exitCode(), is(3));
    assertThat(r.all(), allOf(containsString("source src"), containsString(locked), containsString(actual)));
    assertThat(r.all(), not(containsString("Reproduced:")));
  }

  private static void flipQuebec(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    byte[] needle = "Québec".getBytes(StandardCharsets.UTF_8);
    int at = indexOf(bytes, needle);
    assertThat("the fixture holds the bytes of Québec: " + file, at >= 0, is(true));
    bytes[at + needle.length - 1] = 'd';
    Files.write(file, bytes);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void aManifestRecordingOtherOutputBytesIsNotReproduced() throws IOException {
    ObjectNode m = (ObjectNode) Fixtures.readJson(built.resolve("manifest.json"));
    ObjectNode parquet = (ObjectNode) m.path("outputs").get(0);
    String real = parquet.path("sha256").asText();
    String other = real.substring(1) + (real.charAt(0) == '0' ? '1' : '0');
    parquet.put("sha256", other);
    Path tampered = Files.createDirectories(tmp.resolve("tampered")).resolve("manifest.json");
    Files.write(tampered, Fixtures.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));

    Fixtures.Run r = d4c("reproduce", tampered.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(5));
    assertThat(r.out(), containsString("DIFFERS   repro.parquet: sha256 differs: expected " + other + ", got " + real));
    assertThat(r.out(), containsString("NOT reproduced: 1 of 1 outputs differ"));
  }

  @Test
  void aFileThatIsNotJsonIsABadManifest() throws IOException {
    Path notJson = Files.writeString(tmp.resolve("not-json.json"), "this is { not json\n");
    Fixtures.Run r = d4c("reproduce", notJson.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), containsString(notJson + ": not JSON"));
  }

  @Test
  void foreignJsonIsABadManifest() throws IOException {
    Path foreign = Files.writeString(tmp.resolve("foreign.json"), "{\"type\": \"FeatureCollection\", \"features\": []}");
    Fixtures.Run r = d4c("reproduce", foreign.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), containsString(foreign + ": not a d4c manifest"));
  }

  @Test
  void aManifestWithoutItsOutputsIsABadManifestNamingTheField() throws IOException {
    ObjectNode m = (ObjectNode) Fixtures.readJson(built.resolve("manifest.json"));
    m.remove("outputs");
    Path broken = Files.createDirectories(tmp.resolve("broken")).resolve("manifest.json");
    Files.write(broken, Fixtures.JSON.writeValueAsBytes(m));
    Fixtures.Run r = d4c("reproduce", broken.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), allOf(containsString(broken.toString()), containsString("outputs")));
  }

  @Test
  void aMissingManifestIsABadManifest() {
    Path missing = tmp.resolve("nowhere/manifest.json");
    Fixtures.Run r = d4c("reproduce", missing.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), containsString(missing + ": no such file"));
    assertThat(r.out(), not(containsString("Reproduced")));
  }
}
