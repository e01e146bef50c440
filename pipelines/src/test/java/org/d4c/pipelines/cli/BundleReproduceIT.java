package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.d4c.manifests.bundle.SourceBundle;
import org.d4c.manifests.lock.CodeVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code d4c reproduce BUNDLE} for real: a build made by a clean clone of this repository at its HEAD commit is
 * bundled, its source file deleted, and reproduced while d4c home is ANOTHER commit, with an empty source cache. The
 * bundle's code is unpacked, built by its own launcher with Maven (offline, no tests) and rebuilds the same bytes.
 */
class BundleReproduceIT {
  @TempDir
  static Path tmp;

  static Path code;
  static String commit;
  static Path built;
  static Path bundle;

  @BeforeAll
  static void buildAndBundle() throws Exception {
    // The code of this repository's HEAD commit, in a clean clone: what a release is built from.
    code = tmp.resolve("code");
    run(tmp, "git", "clone", "-q", "--no-checkout", Fixtures.HOME.toString(), code.toString());
    commit = git(Fixtures.HOME, "rev-parse", "HEAD");
    run(code, "git", "checkout", "-q", "--detach", commit);
    assertThat(CodeVersion.detect(code), is(new CodeVersion(commit, false, null)));

    System.setProperty("d4c.home", code.toString());
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path gpkg = Fixtures.geoPackage(data.resolve("places.gpkg"), Map.of("places", Fixtures.places(40, 11, 0)));
    Path recipe = Fixtures.recipe(data.resolve("recipe.yaml"),
        Fixtures.oneSourceRecipe("bundled", gpkg.toUri().toString(), "places", ""));
    Path cache = tmp.resolve("cache");
    Fixtures.lock(recipe, cache);
    built = tmp.resolve("out");
    Fixtures.Run b = d4c("build", recipe.toString(), "--out", built.toString(), "--cache", cache.toString());
    assertThat(b.toString(), b.exitCode(), is(0));
    assertThat(Files.readString(built.resolve("manifest.json")), containsString("\"commit\": \"" + commit + "\""));

    bundle = SourceBundle.of(built).repository(code).sourceCache(cache).writeTo(tmp.resolve("release")).file();
    Files.delete(gpkg); // the source now lives only in the bundle
  }

  @AfterAll
  static void restore() {
    Fixtures.restoreHome();
    System.clearProperty("d4c.bundles.dir");
    System.clearProperty("d4c.maven.args");
  }

  @Test
  void anotherCheckoutRebuildsWithTheBundlesOwnCode() throws Exception {
    Fixtures.useStableHome(); // a different commit: this code must not be used
    System.setProperty("d4c.bundles.dir", tmp.resolve("bundles").toString());
    System.setProperty("d4c.maven.args", "-o -Dmaven.test.skip=true");
    long start = System.nanoTime();
    Fixtures.Run r = d4c("reproduce", bundle.toString(), "--cache", tmp.resolve("empty-cache").toString());
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    System.err.println("[test] reproduce from the bundle, with a first build of its code: " + seconds + " s");
    assertThat(r.toString(), r.exitCode(), is(0));
    assertThat(r.err(), containsString("source src taken from the bundle into the cache"));
    assertThat(r.err(), containsString("Building the code of commit " + commit + " from the bundle"));
    assertThat(r.err(), containsString("Code used: commit " + commit + " from the bundle"));
    assertThat(r.out(), containsString("ok        bundled.parquet: ok"));
    assertThat(r.out(), containsString("Reproduced: every output is bit-identical to the manifest, and so is the"
        + " manifest itself."));
    Path unpacked = tmp.resolve("bundles").resolve(commit);
    assertThat(Files.isRegularFile(unpacked.resolve(".d4c-bundle-code")), is(true));
    assertThat("the bundle's code was built there", Files.isRegularFile(unpacked.resolve("pipelines/target/d4c.stamp")),
        is(true));
    // Its launcher listed the classes the first run loaded and made a class-data archive of them once.
    assertThat(r.err(), containsString("recording the classes of this command in a class-data archive"));
    Path archive = unpacked.resolve("pipelines/target/d4c-pipelines.jsa");
    assertThat("the class-data archive", Files.size(archive), greaterThan(1_000_000L));

    // Twice: the unpack is reused and the jars are not built again.
    start = System.nanoTime();
    Fixtures.Run again = d4c("reproduce", tmp.resolve("out/manifest.json").toString(), "--bundle", bundle.toString(),
        "--cache", tmp.resolve("empty-cache").toString());
    System.err.println("[test] again, code already built: " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)
        + " s");
    assertThat(again.toString(), again.exitCode(), is(0));
    assertThat(again.err(), containsString("already unpacked there: reusing it"));
    assertThat(again.err(), not(containsString("[d4c] building d4c")));
    // The second run mapped that archive (it was not made again) and still reproduced every byte (asserted above).
    assertThat(again.err(), not(containsString("recording the classes")));
    assertThat(again.out(), containsString("Reproduced: every output is bit-identical to the manifest"));
  }

  @Test
  void theManifestsOwnCommitRebuildsHereWithoutTheBundlesCode() throws Exception {
    System.setProperty("d4c.home", code.toString());
    System.setProperty("d4c.bundles.dir", tmp.resolve("bundles-unused").toString());
    Fixtures.Run r = d4c("reproduce", bundle.toString(), "--cache", tmp.resolve("cache-here").toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    assertThat(r.err(), containsString("This checkout is commit " + commit + ", the manifest's: rebuilding with it"));
    assertThat(r.out(), containsString("Reproduced: every output is bit-identical"));
    assertThat(Files.exists(tmp.resolve("bundles-unused")), is(false));
  }

  @Test
  void aBundleOfAnotherCommitIsRefused() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("other"));
    String m = Files.readString(built.resolve("manifest.json"));
    Files.writeString(other.resolve("manifest.json"), m.replace(commit, "0123456789abcdef0123456789abcdef01234567"));
    Fixtures.Run r = d4c("reproduce", other.resolve("manifest.json").toString(), "--bundle", bundle.toString());
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), containsString("holds the code of commit " + commit));
    assertThat(r.err(), containsString("was built by commit 0123456789abcdef0123456789abcdef01234567: the bundle does"
        + " not belong to the manifest"));
  }

  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(List.of(args));
    return run(dir, cmd.toArray(String[]::new)).trim();
  }

  private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) throw new AssertionError(List.of(cmd) + "\n" + out);
    return out;
  }
}
