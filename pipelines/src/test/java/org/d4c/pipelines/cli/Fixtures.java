package org.d4c.pipelines.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.d4c.cli.D4c;
import org.d4c.core.hash.Hashing;

/**
 * What the command-line integration tests share: small vector fixtures written with {@code ogr2ogr}, recipes locked
 * with {@code d4c lock} into a private cache, the command line run in this JVM or in a child JVM (for another time
 * zone, locale, umask or working folder), and sha256 of the files of a build folder.
 */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The repository root: failsafe passes -Dd4c.home. */
  static final Path HOME = Path.of(System.getProperty("d4c.home", "..")).toAbsolutePath().normalize();

  private static Path stableHome;
  private static Path classpathSnapshot;

  /** Names that break code depending on the default charset, locale case rules or Unicode normalisation. */
  static final List<String> NAMES = List.of("Québec", "Montréal", "Trois-Rivières", "Île-d'Orléans", "Sept-Îles",
      "Lévis", "Gaspé", "İzmir ıIiİ", "Straße", "Ærøskøbing", "Zürich", "naïve café", "北京", "spruce 🌲");

  private Fixtures() {}

  // ---------------------------------------------------------------------------------------------------------------
  // A d4c home that does not move

  /**
   * A d4c home whose code version and environment definitions stay put while the tests run: a git repository in a
   * temporary folder holding a copy of {@code environments/}, committed once with fixed dates. Manifests record the
   * commit of d4c home and whether it is dirty; in a work tree where people commit while the tests run, two builds
   * minutes apart would otherwise differ in that line, not because of the pipeline.
   */
  static synchronized Path stableHome() throws IOException, InterruptedException {
    if (stableHome == null) {
      Path home = Files.createTempDirectory("d4c-home-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          deleteTree(home);
        } catch (IOException e) {
          // best effort
        }
      }));
      copyTree(HOME.resolve("environments"), home.resolve("environments"));
      git(home, "init", "-q");
      git(home, "add", "-A");
      git(home, "-c", "user.name=d4c tests", "-c", "user.email=tests@d4c.invalid", "-c", "commit.gpgsign=false",
          "commit", "-q", "-m", "environments for the tests");
      stableHome = home;
    }
    return stableHome;
  }

  /** Sets -Dd4c.home to {@link #stableHome()} for this JVM and the child JVMs it starts; undo with restoreHome. */
  static void useStableHome() throws IOException, InterruptedException {
    System.setProperty("d4c.home", stableHome().toString());
  }

  static void restoreHome() {
    System.setProperty("d4c.home", HOME.toString());
  }

  private static void git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z");
    pb.environment().put("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new AssertionError("git failed: " + cmd + "\n" + output);
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * The classpath for a child JVM: pipelines/target/classes and the jars that classpath.txt names under the
   * repository, copied once, so that a build of the work tree running meanwhile cannot pull classes away from it.
   */
  static synchronized String childClasspath() throws IOException {
    if (classpathSnapshot == null) {
      Path dir = Files.createTempDirectory("d4c-classpath-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          deleteTree(dir);
        } catch (IOException e) {
          // best effort
        }
      }));
      copyTree(HOME.resolve("pipelines/target/classes"), dir.resolve("classes"));
      classpathSnapshot = dir;
    }
    List<String> entries = new ArrayList<>(List.of(classpathSnapshot.resolve("classes").toString()));
    String listed = Files.readString(HOME.resolve("pipelines/target/classpath.txt")).trim();
    for (String e : listed.split(java.io.File.pathSeparator)) {
      Path jar = Path.of(e);
      if (jar.startsWith(HOME)) {
        Path copy = classpathSnapshot.resolve(jar.getFileName().toString());
        if (!Files.exists(copy)) {
          Files.copy(jar, copy);
        }
        entries.add(copy.toString());
      } else {
        entries.add(e);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Running the command line

  /** What one run of the command line gave. */
  record Run(int exitCode, String out, String err) {
    String all() {
      return out + "\n" + err;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
  }

  /** Runs {@code d4c ARGS} in this JVM, capturing what it prints (still echoed to the test log). */
  static synchronized Run d4c(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(new Tee(out, oldOut), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(err, oldErr), true, StandardCharsets.UTF_8));
    int code;
    try {
      oldErr.println("[test] d4c " + String.join(" ", args));
      code = D4c.execute(args);
    } finally {
      System.out.flush();
      System.err.flush();
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Runs {@code d4c ARGS} in a child JVM started through {@code sh -c} in {@code workDir}, with extra environment
   * variables, JVM options and a umask (null: inherited).
   */
  static Run d4cSubprocess(Path workDir, Map<String, String> env, List<String> jvmOptions, String umask,
      String... args) throws IOException, InterruptedException {
    String gdalDir = System.getProperty("d4c.gdal.dir", System.getProperty("java.library.path"));
    String classpath = childClasspath();
    String home = System.getProperty("d4c.home", HOME.toString());
    List<String> command = new ArrayList<>(List.of("sh", "-c",
        (umask == null ? "" : "umask " + umask + " && ") + "exec \"$0\" \"$@\"",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Djava.library.path=" + gdalDir, "-Dd4c.gdal.dir=" + gdalDir, "-Dd4c.home=" + home));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath);
    command.add(D4c.class.getName());
    command.addAll(Arrays.asList(args));
    Path logs = Files.createTempDirectory("d4c-subprocess-");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectOutput(logs.resolve("out").toFile()).redirectError(logs.resolve("err").toFile());
      pb.environment().putAll(env);
      System.err.println("[test] (child JVM in " + workDir + ", env " + env + ", " + jvmOptions + ", umask " + umask
          + ") d4c " + String.join(" ", args));
      Process p = pb.start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("the child d4c did not finish within 5 minutes: " + command);
      }
      Run run = new Run(p.exitValue(), Files.readString(logs.resolve("out"), StandardCharsets.UTF_8),
          Files.readString(logs.resolve("err"), StandardCharsets.UTF_8));
      System.err.println(run);
      return run;
    } finally {
      deleteTree(logs);
    }
  }

  /** Runs {@code d4c lock RECIPE --cache CACHE} and fails the test unless it worked. */
  static Path lock(Path recipe, Path cache) {
    Run r = d4c("lock", recipe.toString(), "--cache", cache.toString());
    assertThat("d4c lock " + recipe + "\n" + r, r.exitCode(), is(0));
    return recipe;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Vector fixtures

  /** A GeoJSON feature: {@code geometry} is a GeoJSON geometry object or null. */
  static ObjectNode feature(JsonNode geometry, Map<String, ?> properties) {
    ObjectNode f = JSON.createObjectNode().put("type", "Feature");
    ObjectNode props = f.putObject("properties");
    properties.forEach((k, v) -> props.set(k, JSON.valueToTree(v)));
    f.set("geometry", geometry);
    return f;
  }

  static ObjectNode point(double lon, double lat) {
    ObjectNode g = JSON.createObjectNode().put("type", "Point");
    g.putArray("coordinates").add(lon).add(lat);
    return g;
  }

  /** A polygon from rings of [lon, lat] pairs, each ring closed here. */
  static ObjectNode polygon(double[][]... rings) {
    ObjectNode g = JSON.createObjectNode().put("type", "Polygon");
    ArrayNode rs = g.putArray("coordinates");
    for (double[][] ring : rings) {
      ArrayNode r = rs.addArray();
      for (double[] c : ring) {
        r.addArray().add(c[0]).add(c[1]);
      }
      r.addArray().add(ring[0][0]).add(ring[0][1]);
    }
    return g;
  }

  /** A square of side {@code d} with its lower left corner at (lon, lat), counterclockwise unless {@code cw}. */
  static double[][] square(double lon, double lat, double d, boolean cw) {
    double[][] ccw = {{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}};
    if (!cw) {
      return ccw;
    }
    return new double[][] {ccw[0], ccw[3], ccw[2], ccw[1]};
  }

  static Path writeGeoJson(Path file, List<ObjectNode> features) throws IOException {
    ObjectNode fc = JSON.createObjectNode().put("type", "FeatureCollection");
    ArrayNode a = fc.putArray("features");
    features.forEach(a::add);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, JSON.writeValueAsBytes(fc));
    return file;
  }

  /**
   * Points in Canada with accented names and every attribute type OGR maps (string, integer, integer64, real, date,
   * date-time, boolean); every {@code nullGeometryEvery}-th feature (if > 0) has no geometry.
   */
  static List<ObjectNode> places(int n, long seed, int nullGeometryEvery) {
    Random r = new Random(seed);
    List<ObjectNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> p = new java.util.LinkedHashMap<>();
      p.put("nom", i < NAMES.size() ? NAMES.get(i) : NAMES.get(i % NAMES.size()) + " " + i);
      p.put("kind", i % 7 == 3 ? "hamlet" : i % 2 == 0 ? "town" : "village");
      p.put("population", 1_000L + r.nextInt(5_000_000) * 1_000L);
      p.put("elevation", Math.round(r.nextDouble() * 1_000_000) / 1000.0);
      p.put("founded", String.format(java.util.Locale.ROOT, "%04d-%02d-%02d", 1600 + r.nextInt(400),
          1 + r.nextInt(12), 1 + r.nextInt(28)));
      // Z, an offset, and a local time that must not be read in the JVM's time zone.
      String tz = i % 3 == 0 ? "Z" : i % 3 == 1 ? "+05:45" : "";
      p.put("updated", String.format(java.util.Locale.ROOT, "2021-03-%02dT%02d:%02d:%02d%s", 1 + r.nextInt(28),
          r.nextInt(24), r.nextInt(60), r.nextInt(60), tz));
      p.put("capital", i % 11 == 0);
      double lon = -140 + r.nextDouble() * 87;
      double lat = 42 + r.nextDouble() * 28;
      boolean noGeometry = nullGeometryEvery > 0 && i % nullGeometryEvery == nullGeometryEvery - 1;
      out.add(feature(noGeometry ? null : point(lon, lat), p));
    }
    return out;
  }

  /** Squares (half of them clockwise, some with a hole, one bow-tie that needs repair) with accented names. */
  static List<ObjectNode> areas(int n, long seed) {
    Random r = new Random(seed);
    List<ObjectNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double lon = -130 + r.nextDouble() * 70;
      double lat = 43 + r.nextDouble() * 20;
      double d = 0.05 + r.nextDouble() * 0.5;
      ObjectNode g;
      if (i == n / 2) {
        g = polygon(new double[][] {{lon, lat}, {lon + d, lat + d}, {lon + d, lat}, {lon, lat + d}}); // bow-tie
      } else if (i % 5 == 0) {
        g = polygon(square(lon, lat, d, i % 2 == 1), square(lon + d / 4, lat + d / 4, d / 2, i % 2 == 0));
      } else {
        g = polygon(square(lon, lat, d, i % 2 == 1));
      }
      out.add(feature(g, Map.of("nom", "Région " + NAMES.get(i % NAMES.size()) + " n°" + i,
          "kind", i % 3 == 0 ? "parc" : "forêt", "population", (long) r.nextInt(100_000))));
    }
    return out;
  }

  /** Writes one GeoPackage layer per entry (in map order) with ogr2ogr; {@code options} apply to every layer. */
  static Path geoPackage(Path gpkg, Map<String, List<ObjectNode>> layers, String... options)
      throws IOException, InterruptedException {
    Path work = Files.createTempDirectory(gpkg.toAbsolutePath().getParent(), ".geojson-");
    try {
      boolean first = true;
      for (var e : layers.entrySet()) {
        Path json = writeGeoJson(work.resolve(e.getKey() + ".geojson"), e.getValue());
        List<String> args = new ArrayList<>(List.of("-f", "GPKG"));
        if (!first) {
          args.add("-update");
        }
        args.addAll(List.of(gpkg.toString(), json.toString(), "-nln", e.getKey()));
        args.addAll(Arrays.asList(options));
        ogr2ogr(args.toArray(String[]::new));
        first = false;
      }
      return gpkg;
    } finally {
      deleteTree(work);
    }
  }

  static void ogr2ogr(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ogr2ogr"));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new AssertionError("ogr2ogr failed: " + cmd + "\n" + output);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Recipes

  /** Writes a recipe file (creating its folder). */
  static Path recipe(Path file, String yaml) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  /** A one-source recipe for {@code url} (relative to the recipe, or file:), with extra top-level YAML lines. */
  static String oneSourceRecipe(String dataset, String url, String layer, String extraTopLevel) {
    return """
        dataset: %s
        version: 1.0.0
        title: Fixture — données de test
        license: CC0-1.0
        %s
        sources:
          - id: src
            urls: [%s]
        %s
        """.formatted(dataset, extraTopLevel, url, layer == null ? "" : "    layer: " + layer);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Files

  /** sha256 of every regular file under {@code dir}, by its '/'-separated relative path, sorted. */
  static SortedMap<String, String> sha256Tree(Path dir) throws IOException {
    SortedMap<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString().replace('\\', '/'), Hashing.sha256(p));
      }
    }
    return out;
  }

  /** The names in a folder, sorted (hidden ones too). */
  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Copies everything written to both streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
