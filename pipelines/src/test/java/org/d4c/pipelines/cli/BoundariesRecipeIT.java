package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
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
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.operation.union.UnaryUnionOp;

/**
 * The boundaries example recipe: a join with the relationship file (checked against DuckDB's own join), computed
 * fields (the ellipsoidal area against the closed form for a latitude-longitude cell), a dissolve (against DuckDB's
 * GROUP BY and JTS's union) and a spatial join of points (against a JTS point-in-polygon test), built to the same
 * bytes on Flink and at parallelism 4.
 */
class BoundariesRecipeIT {
  static final Path RECIPE = Fixtures.HOME.resolve("pipelines/recipes/boundaries-sample/recipe.yaml");
  static final Path DATA = RECIPE.getParent().resolve("data");

  @TempDir
  static Path tmp;

  static Path cache;
  static Path reference;
  static SortedMap<String, String> expected;
  static Connection duck;

  @BeforeAll
  static void build() throws Exception {
    Fixtures.useStableHome();
    cache = tmp.resolve("cache");
    reference = tmp.resolve("a");
    Fixtures.Run a = run(reference, "--parallelism", "1");
    assertThat(a.toString(), a.exitCode(), is(0));
    expected = new TreeMap<>(Fixtures.sha256Tree(reference));
    expected.remove("run.json");
    duck = DriverManager.getConnection("jdbc:duckdb:");
    Fixtures.ogr2ogr("-f", "CSV", tmp.resolve("csd.csv").toString(), DATA.resolve("census_subdivisions.gpkg").toString(),
        "-lco", "GEOMETRY=AS_WKT");
  }

  @AfterAll
  static void close() throws Exception {
    if (duck != null) duck.close();
    Fixtures.restoreHome();
  }

  static Fixtures.Run run(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("build", RECIPE.toString(), "--out", out.toString(), "--cache",
        cache.toString()));
    args.addAll(List.of(extra));
    return d4c(args.toArray(String[]::new));
  }

  static List<String> rows(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement s = duck.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) b.append(i > 1 ? "|" : "").append(r.getString(i));
        out.add(b.toString());
      }
    }
    return out;
  }

  static String file(String name) {
    return "'" + reference.resolve(name + ".parquet") + "'";
  }

  static Map<String, Geometry> geometries(String name, String key) throws Exception {
    Map<String, Geometry> m = new LinkedHashMap<>();
    try (Statement s = duck.createStatement();
        ResultSet r = s.executeQuery("SELECT " + key + ", geometry FROM " + file(name) + " ORDER BY 1")) {
      while (r.next()) m.put(r.getString(1), new WKBReader().read(r.getBytes(2)));
    }
    return m;
  }

  @Test
  void joinMatchesDuckDb() throws Exception {
    String rel = "read_csv('" + DATA.resolve("2021_92-150-X_eng_sample.csv") + "', encoding='latin-1', all_varchar=true)";
    String csd = "read_csv('" + tmp.resolve("csd.csv") + "', all_varchar=true)";
    List<String> oracle = rows("SELECT c.DGUID, c.CSDUID, c.CSDNAME, r.CDUID, r.CDNAME, r.PRFNAME,"
        + " c.CSDNAME || ' (' || r.PRFNAME || ')' FROM " + csd + " c LEFT JOIN (SELECT DISTINCT ON (CSDDGUID) * FROM "
        + rel + " ORDER BY CSDDGUID, DAUID) r ON c.DGUID = r.CSDDGUID ORDER BY c.DGUID");
    assertThat(rows("SELECT dguid, csd_uid, csd_name, CDUID, CDNAME, PRFNAME, label FROM " + file("census-subdivisions")
        + " ORDER BY dguid"), equalTo(oracle));
    assertThat("the table output has the same rows, ordered by csd_uid", rows("SELECT dguid, csd_uid, csd_name, CDUID,"
        + " CDNAME, PRFNAME, label FROM " + file("csd-table")), equalTo(rows("SELECT dguid, csd_uid, csd_name, CDUID,"
        + " CDNAME, PRFNAME, label FROM " + file("census-subdivisions") + " ORDER BY csd_uid")));
    assertThat(rows("SELECT column_type FROM (DESCRIBE SELECT cd_uid, CDUID, area_km2 FROM " + file("csd-table") + ")"),
        equalTo(List.of("BIGINT", "BIGINT", "DOUBLE")));
  }

  @Test
  void areaIsEllipsoidal() throws Exception {
    // A 1 degree cell between 45 and 46 degrees north on WGS 84, by the closed form of the authalic latitude.
    double a = 6378137, f = 1 / 298.257223563, e2 = f * (2 - f), e = Math.sqrt(e2);
    java.util.function.DoubleUnaryOperator q = phi -> {
      double s = Math.sin(Math.toRadians(phi));
      return s / (1 - e2 * s * s) + Math.log((1 + e * s) / (1 - e * s)) / (2 * e);
    };
    double cell = a * a * (1 - e2) / 2 * Math.toRadians(1) * (q.applyAsDouble(46) - q.applyAsDouble(45)) / 1e6;
    for (String v : rows("SELECT area_km2 FROM " + file("census-subdivisions") + " WHERE csd_uid <> 2423003")) {
      assertThat(Double.parseDouble(v), closeTo(cell, cell * 1e-3));
    }
  }

  @Test
  void dissolveMatchesGroupByAndUnion() throws Exception {
    assertThat(rows("SELECT cd_uid, CDNAME, PRUID, round(area_km2, 3), subdivisions, first_csd FROM "
        + file("census-divisions") + " ORDER BY cd_uid"), equalTo(rows("SELECT cd_uid, CDNAME, PRUID,"
        + " round(sum(area_km2), 3), count(*), first(csd_name ORDER BY csd_uid) FROM " + file("census-subdivisions")
        + " GROUP BY ALL ORDER BY cd_uid")));
    Map<String, Geometry> csd = geometries("census-subdivisions", "csd_uid");
    Map<String, Geometry> cd = geometries("census-divisions", "cd_uid");
    for (Map.Entry<String, Geometry> e : cd.entrySet()) {
      List<Geometry> parts = new ArrayList<>();
      csd.forEach((k, g) -> {
        if (k.startsWith(e.getKey())) parts.add(g);
      });
      assertThat(e.getKey(), e.getValue().isValid(), is(true));
      assertThat(e.getKey(), e.getValue().equalsTopo(UnaryUnionOp.union(parts)), is(true));
    }
  }

  @Test
  void spatialJoinMatchesPointInPolygon() throws Exception {
    Map<String, Geometry> csd = geometries("census-subdivisions", "csd_uid");
    List<String> oracle = new ArrayList<>();
    try (Statement s = duck.createStatement(); ResultSet r = s.executeQuery("SELECT id, lon, lat FROM read_csv('"
        + DATA.resolve("places.csv") + "') WHERE kind <> 'closed' ORDER BY id")) {
      while (r.next()) {
        Geometry p = new org.locationtech.jts.geom.GeometryFactory().createPoint(
            new org.locationtech.jts.geom.Coordinate(r.getDouble(2), r.getDouble(3)));
        String match = null;
        for (Map.Entry<String, Geometry> e : csd.entrySet()) {
          if (match == null && e.getValue().covers(p)) match = e.getKey();
        }
        oracle.add(r.getString(1) + "|" + match);
      }
    }
    assertThat(rows("SELECT id, csd_uid FROM " + file("places") + " ORDER BY id"), equalTo(oracle));
    assertThat(rows("SELECT name FROM " + file("places") + " WHERE csd_uid IS NULL"), equalTo(List.of("Au large")));
  }

  @Test
  void otherRunnersGiveTheSameBytes() throws Exception {
    for (String[] how : new String[][] {{"--parallelism", "4", "--features-per-split", "1"},
        {"--runner", "flink", "--parallelism", "2"}}) {
      Path out = tmp.resolve("o" + how.length + how[1]);
      Fixtures.Run r = run(out, how);
      assertThat(r.toString(), r.exitCode(), is(0));
      SortedMap<String, String> got = new TreeMap<>(Fixtures.sha256Tree(out));
      got.remove("run.json");
      assertThat(List.of(how).toString(), got, equalTo(expected));
    }
  }

  @Test
  void theBowTieIsRepairedNotRejected() throws Exception {
    for (Geometry g : geometries("census-subdivisions", "csd_uid").values()) {
      assertThat(g.isValid(), is(true));
    }
    assertThat(java.nio.file.Files.exists(reference.resolve("rejects.jsonl")), is(false));
  }
}
