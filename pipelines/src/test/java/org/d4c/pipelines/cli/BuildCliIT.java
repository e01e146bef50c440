package org.d4c.pipelines.cli;
import org.d4c.cli.D4c;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;

/**
 * {@code d4c build} seen from outside: its help, and what a reader (DuckDB) finds in what it wrote — reprojected
 * coordinates, GeoParquet metadata, every row and every byte of the text, and outputs split past max_rows_per_file.
 */
class BuildCliIT {
  @TempDir
  static Path tmp;

  static Path cache;

  @BeforeAll
  static void setUp() throws Exception {
    Fixtures.useStableHome();
    cache = tmp.resolve("cache");
  }

  @AfterAll
  static void restoreHome() {
    Fixtures.restoreHome();
  }

  /** The top level and every subcommand but picocli's own {@code help}, as the command line declares them. */
  static Stream<String> commands() {
    List<String> all = new ArrayList<>(List.of(""));
    D4c.commandLine().getSubcommands().keySet().stream().filter(n -> !n.equals("help")).forEach(all::add);
    assertThat(all.size(), greaterThan(4));
    return all.stream();
  }

  @ParameterizedTest(name = "d4c {0} --help")
  @MethodSource("commands")
  void everyHelpHasExamples(String command) {
    Fixtures.Run r = command.isEmpty() ? d4c("--help") : d4c(command, "--help");
    assertThat(r.toString(), r.exitCode(), is(0));
    assertThat(r.out(), containsString("Usage: d4c" + (command.isEmpty() ? "" : " " + command)));
    assertThat(r.out(), containsString("Examples:"));
    assertThat(r.out(), containsString("./d4c " + (command.isEmpty() ? "" : command)));
  }

  @Test
  void helpSubcommandShowsTheCommandsHelp() {
    Fixtures.Run r = d4c("help", "build");
    assertThat(r.toString(), r.exitCode(), is(0));
    assertThat(r.out(), containsString("Examples:"));
  }

  @Test
  void anUnknownOptionIsABadCommandLine() {
    Fixtures.Run r = d4c("build", "recipe.yaml", "--out", tmp.resolve("x").toString(), "--paralellism", "2");
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), containsString("--paralellism"));
  }

  /**
   * A source in Statistics Canada Lambert (EPSG:3347, metres) comes out in OGC:CRS84: longitude first, west negative,
   * within a hair of the lon/lat the fixture started from; the text is the source's UTF-8, byte for byte.
   */
  @Test
  void aLambertSourceComesOutInLongitudeLatitudeReadableByDuckDb() throws Exception {
    List<ObjectNode> places = Fixtures.places(40, 21, 0);
    Map<String, double[]> lonLat = new HashMap<>();
    for (ObjectNode f : places) {
      JsonNode c = f.path("geometry").path("coordinates");
      lonLat.put(f.path("properties").path("nom").asText(), new double[] {c.get(0).asDouble(), c.get(1).asDouble()});
    }
    Path dir = Files.createDirectories(tmp.resolve("lambert"));
    Fixtures.geoPackage(dir.resolve("lambert.gpkg"), Map.of("places", places), "-t_srs", "EPSG:3347");
    Path recipe = Fixtures.lock(Fixtures.recipe(dir.resolve("recipe.yaml"),
        Fixtures.oneSourceRecipe("lambert", "lambert.gpkg", "places", "crs: OGC:CRS84")), cache);
    Path out = tmp.resolve("builds/lambert");
    Fixtures.Run r = d4c("build", recipe.toString(), "--out", out.toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    Path parquet = out.resolve("lambert.parquet");

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
      st.execute("SET enable_geoparquet_conversion = false"); // the WKB as written, not DuckDB's own type
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + parquet + "')")) {
        rs.next();
        assertThat("every source row", rs.getLong(1), is(40L));
      }
      try (ResultSet rs = st.executeQuery("SELECT decode(value) FROM parquet_kv_metadata('" + parquet + "')"
          + " WHERE decode(key) = 'geo'")) {
        assertThat("the geo key is in the footer", rs.next(), is(true));
        JsonNode geo = Fixtures.JSON.readTree(rs.getString(1));
        assertThat(geo.path("version").asText(), is("1.1.0"));
        assertThat(geo.path("primary_column").asText(), is("geometry"));
        assertThat(geo.path("columns").path("geometry").path("encoding").asText(), is("WKB"));
      }
      WKBReader wkb = new WKBReader();
      TreeSet<String> names = new TreeSet<>();
      try (ResultSet rs = st.executeQuery("SELECT nom, geometry FROM read_parquet('" + parquet + "')")) {
        while (rs.next()) {
          String nom = rs.getString(1);
          names.add(nom);
          Geometry g = wkb.read(rs.getBytes(2));
          double[] expected = lonLat.get(nom);
          assertThat("a name from the source: " + nom, expected != null, is(true));
          for (Coordinate c : g.getCoordinates()) {
            assertThat(nom + " longitude", c.x, lessThan(0.0));
            assertThat(nom + " longitude", c.x, closeTo(expected[0], 1e-7));
            assertThat(nom + " latitude", c.y, closeTo(expected[1], 1e-7));
          }
        }
      }
      assertThat(names, equalTo(new TreeSet<>(lonLat.keySet())));
      try (ResultSet rs = st.executeQuery("SELECT encode(nom) FROM read_parquet('" + parquet + "')"
          + " WHERE nom LIKE 'Qu%bec'")) {
        assertThat(rs.next(), is(true));
        // U+00E9 as the two UTF-8 bytes C3 A9 (NFC), as in the source; not NFD, not Latin-1, not '?'.
        assertThat(rs.getBytes(1), equalTo("Québec".getBytes(StandardCharsets.UTF_8)));
        assertThat(rs.getBytes(1), equalTo(new byte[] {'Q', 'u', (byte) 0xC3, (byte) 0xA9, 'b', 'e', 'c'}));
        assertThat("only one", rs.next(), is(false));
      }
    }
  }

  @Test
  void anOutputPastMaxRowsPerFileIsSplitIntoParts() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("split"));
    Fixtures.geoPackage(dir.resolve("many.gpkg"), Map.of("places", Fixtures.places(250, 31, 0)));
    Path recipe = Fixtures.lock(Fixtures.recipe(dir.resolve("recipe.yaml"),
        Fixtures.oneSourceRecipe("split", "many.gpkg", "places", "max_rows_per_file: 100")), cache);
    Path out = tmp.resolve("builds/split");
    Fixtures.Run r = d4c("build", recipe.toString(), "--out", out.toString(), "--cache", cache.toString(),
        "--parallelism", "2", "--features-per-split", "60");
    assertThat(r.toString(), r.exitCode(), is(0));

    assertThat(Fixtures.names(out), equalTo(List.of("manifest.json", "run.json", "split")));
    assertThat(Fixtures.names(out.resolve("split")),
        equalTo(List.of("part-00000.parquet", "part-00001.parquet", "part-00002.parquet")));
    JsonNode m = Fixtures.readJson(out.resolve("manifest.json"));
    List<String> paths = new ArrayList<>();
    List<Long> rows = new ArrayList<>();
    for (JsonNode o : m.path("outputs")) {
      paths.add(o.path("path").asText());
      rows.add(o.path("rows").asLong());
      assertThat(o.path("role").asText(), is("data"));
      assertThat(o.path("sha256").asText(), is(org.d4c.core.hash.Hashing.sha256(out.resolve(o.path("path").asText()))));
    }
    assertThat(paths, equalTo(List.of("split/part-00000.parquet", "split/part-00001.parquet", "split/part-00002.parquet")));
    assertThat(rows, equalTo(List.of(100L, 100L, 50L)));

    try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT nom) FROM read_parquet('"
            + out.resolve("split") + "/*.parquet')")) {
      rs.next();
      assertThat("each feature in exactly one part", rs.getLong(1), is(250L));
      assertThat(rs.getLong(2), is(250L));
    }
  }
}
