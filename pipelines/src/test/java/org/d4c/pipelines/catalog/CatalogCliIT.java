package org.d4c.pipelines.catalog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.d4c.core.json.CanonicalJson;
import org.d4c.cli.D4c;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the demo dataset and a second dataset (two versions, built in EPSG:3347 with a start/end time range) are
 * built with {@code d4c build}, added with {@code d4c catalog add}, validated by all three schemas with {@code d4c
 * catalog validate}, read back by DuckDB, and found by {@code d4c catalog search} by bbox, datetime, collection and
 * text.
 */
class CatalogCliIT {
  @TempDir
  static Path tmp;

  static Path catalog;
  static Path demo;
  static Path atlantic1;
  static Path atlantic2;

  record Run(int exitCode, String out, String err) {}

  static synchronized Run d4c(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = D4c.execute(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  static String recipe(String version, String where) {
    Path gpkg = Path.of(System.getProperty("d4c.home", "..")).toAbsolutePath().normalize()
        .resolve("pipelines/recipes/ca-provinces/data/ca-admin1.gpkg");
    return "dataset: ca-atlantic\nversion: " + version + "\ntitle: Atlantic Canada\n"
        + "description: The Atlantic provinces of Canada, in Statistics Canada Lambert.\nlicense: CC0-1.0\ncrs: EPSG:3347\n"
        + "start_datetime: 2020-01-01\nend_datetime: 2021-12-31\nkeywords: [atlantic, maritimes]\n"
        + "sources:\n  - id: ne-admin1\n    urls: [\"" + gpkg.toUri() + "\"]\n"
        + "    sha256: 2078fd3da0e9147e8a27f8f922ff6ab051d44932fbdf3e59b82889280b4c9320\n    size: 757760\n"
        + "    layer: states_provinces\n    where: \"" + where + "\"\n"
        + "outputs:\n  - name: provinces\n    source: ne-admin1\n    select: [name, iso_a2]\n";
  }

  static Path build(Path recipeYaml, Path out) {
    Run r = d4c("build", recipeYaml.toString(), "--out", out.toString(), "--cache", tmp.resolve("cache").toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    return out;
  }

  @BeforeAll
  static void buildAndCatalog() throws Exception {
    Path home = Path.of(System.getProperty("d4c.home", "..")).toAbsolutePath().normalize();
    demo = build(home.resolve("pipelines/recipes/ca-provinces/recipe.yaml"), tmp.resolve("out/ca-provinces"));
    Path r1 = Files.writeString(tmp.resolve("atlantic-1.yaml"),
        recipe("1.0.0", "name IN ('Nova Scotia', 'New Brunswick', 'Prince Edward Island')"));
    Path r2 = Files.writeString(tmp.resolve("atlantic-2.yaml"),
        recipe("1.1.0", "name IN ('Nova Scotia', 'New Brunswick', 'Prince Edward Island', 'Newfoundland and Labrador')"));
    atlantic1 = build(r1, tmp.resolve("out/ca-atlantic-1.0.0"));
    atlantic2 = build(r2, tmp.resolve("out/ca-atlantic-1.1.0"));
    catalog = tmp.resolve("out/catalog");
    Run add = d4c("catalog", "add", demo.toString(), atlantic2.toString(), atlantic1.toString(), "--catalog", catalog.toString());
    assertThat(add.toString(), add.exitCode(), is(0));
    assertThat(add.out(), containsString("Added ca-atlantic-1.0.0 (collection ca-atlantic, version 1.0.0): 3 items in 2 collections"));
  }

  @Test
  void theCatalogValidatesByAllThreeSchemas() {
    Run v = d4c("catalog", "validate", catalog.toString(), "--checksums");
    assertThat(v.toString(), v.exitCode(), is(0));
    assertThat(v.out(), containsString("Valid: " + catalog + ": 3 items, 2 collections, 8 JSON files"));
    assertThat(v.out(), containsString("GeoParquet 1.1.0 and stac-geoparquet 1.0.0"));
  }

  @Test
  void duckDbReadsTheCatalog() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      String pq = "'" + catalog.resolve("catalog.parquet") + "'";
      List<String> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT id, collection, assets.provinces.\"file:size\" FROM read_parquet(" + pq + ")")) {
        while (rs.next()) rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(3));
      }
      assertThat(rows.size(), is(3));
      assertThat(rows.get(0), containsString("ca-atlantic-1.0.0 ca-atlantic "));
      assertThat(rows.get(2), is("ca-provinces-1.0.0 ca-provinces " + Files.size(demo.resolve("provinces.parquet"))));
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM parquet_kv_metadata(" + pq + ") WHERE decode(key) = 'stac-geoparquet'"
          + " AND decode(value) LIKE '%\"ca-atlantic\"%' AND decode(value) LIKE '%\"ca-provinces\"%'")) {
        rs.next();
        assertThat(rs.getLong(1), is(1L));
      }
    }
  }

  @Test
  void searchFindsThemByBboxDatetimeCollectionAndText() throws Exception {
    String cat = catalog.toString();
    Run halifax = d4c("catalog", "search", "--catalog", cat, "--bbox", "-63.7,44.6,-63.5,44.7");
    assertThat(halifax.toString(), halifax.exitCode(), is(0));
    assertThat(halifax.out(), containsString("3 items match"));
    Run yukon = d4c("catalog", "search", "--catalog", cat, "--bbox", "-136,61,-135,62");
    assertThat(yukon.out(), containsString("ca-provinces-1.0.0"));
    assertThat(yukon.out(), containsString("1 item matches"));
    Run when = d4c("catalog", "search", "--catalog", cat, "--datetime", "2021-06-01/2021-06-30");
    assertThat(when.out(), containsString("2 items match"));
    assertThat(when.out(), containsString("2020-01-01T00:00:00Z/2021-12-31T23:59:59Z"));
    Run coll = d4c("catalog", "search", "--catalog", cat, "--collection", "ca-provinces");
    assertThat(coll.out(), containsString("1 item matches"));
    Run text = d4c("catalog", "search", "--catalog", cat, "--q", "maritimes 1.1.0", "--format", "json");
    assertThat(text.toString(), text.exitCode(), is(0));
    JsonNode fc = CanonicalJson.mapper().readTree(text.out());
    assertThat(fc.path("numberMatched").asInt(), is(1));
    JsonNode item = fc.path("features").get(0);
    assertThat(item.path("id").asText(), is("ca-atlantic-1.1.0"));
    assertThat(Files.isSameFile(Path.of(java.net.URI.create(item.path("assets").path("provinces").path("href").asText())),
        atlantic2.resolve("provinces.parquet")), is(true));
    // The footprint was reprojected from EPSG:3347 (metres) into longitude/latitude: it holds the data's extent
    // (-69.05, 43.4) to (-52.6, 60.4) and is a little larger (hull of the features' Lambert bboxes).
    JsonNode b = item.path("bbox");
    assertThat(b.toString(), b.get(0).asDouble() < -69 && b.get(0).asDouble() > -75 && b.get(1).asDouble() < 43.4
        && b.get(1).asDouble() > 40 && b.get(2).asDouble() > -52.7 && b.get(2).asDouble() < -40 && b.get(3).asDouble() > 60.4
        && b.get(3).asDouble() < 62, is(true));
    Run versions = d4c("catalog", "search", "--catalog", cat, "--q", "atlantic");
    assertThat(versions.out().indexOf("ca-atlantic-1.0.0") < versions.out().indexOf("ca-atlantic-1.1.0"), is(true));
  }

  @Test
  void badInputExitsTwoAndChangesNothing() throws Exception {
    byte[] before = Files.readAllBytes(catalog.resolve("catalog.parquet"));
    Run notBuild = d4c("catalog", "add", tmp.toString(), "--catalog", catalog.toString());
    assertThat(notBuild.exitCode(), is(2));
    assertThat(notBuild.err(), containsString("no manifest.json"));
    Run badBbox = d4c("catalog", "search", "--catalog", catalog.toString(), "--bbox", "1,2,3");
    assertThat(badBbox.exitCode(), is(2));
    assertThat(badBbox.err(), containsString("--bbox: expected W,S,E,N"));
    Run noCatalog = d4c("catalog", "validate", tmp.resolve("nowhere").toString());
    assertThat(noCatalog.exitCode(), is(2));
    assertThat(noCatalog.err(), containsString("no such catalog folder"));
    assertThat(Files.readAllBytes(catalog.resolve("catalog.parquet")), is(before));
    for (String sub : List.of("add", "validate", "search")) {
      Run help = d4c("catalog", sub, "--help");
      assertThat(help.out(), containsString("Examples:"));
      assertThat(help.out(), containsString("./d4c catalog " + sub));
      assertThat(help.out(), not(containsString("Exception")));
    }
  }
}
