package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isOneOf;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The census-profile example recipe (three Latin-1 CSV files in long form in one zip, pivoted, de-duplicated and
 * split by two boundary layers) checked against DuckDB doing the same from the same files with its own SQL, and built
 * to the same bytes on other runners, parallelisms and splits.
 */
class CensusRecipeIT {
  static final Path RECIPE = Fixtures.HOME.resolve("pipelines/recipes/census-profile/recipe.yaml");
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
    expected = locked(reference);
    duck = DriverManager.getConnection("jdbc:duckdb:");
    // The oracle reads the very CSV members the recipe names, and the boundary layers through ogr2ogr.
    Path csv = Files.createDirectories(tmp.resolve("csv"));
    List<String> members = new ArrayList<>();
    try (ZipFile zip = new ZipFile(DATA.resolve("98-401-X2021006_CSV.zip").toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        if (e.getName().matches("98-401-X2021006_English_CSV_data_.*\\.csv")) {
          try (InputStream in = zip.getInputStream(e)) {
            Files.copy(in, csv.resolve(e.getName()));
          }
          members.add("'" + csv.resolve(e.getName()) + "'");
        }
      }
    }
    java.util.Collections.sort(members);
    for (String layer : List.of("provinces", "census_divisions")) {
      Fixtures.ogr2ogr("-f", "CSV", tmp.resolve(layer + ".csv").toString(), DATA.resolve("boundaries.gpkg").toString(),
          layer);
    }
    exec("CREATE TABLE raw AS SELECT * FROM read_csv([" + String.join(",", members) + "], encoding='latin-1',"
        + " header=true, all_varchar=true, nullstr=['x','..','...','F',''], filename=true)");
    // DISTINCT ON keeps the first row of each key in file-name order, as the recipe's distinct keep: first does.
    exec("CREATE TABLE long AS SELECT DISTINCT ON (DGUID, CHARACTERISTIC_ID) DGUID AS dguid, GEO_NAME AS geo_name,"
        + " CAST(CHARACTERISTIC_ID AS INTEGER) AS cid, C1_COUNT_TOTAL AS count_total, \"C2_COUNT_MEN+\" AS count_men,"
        + " \"C3_COUNT_WOMEN+\" AS count_women FROM raw ORDER BY DGUID, CHARACTERISTIC_ID, filename");
    exec("CREATE TABLE cells AS SELECT dguid, name || '_' || cid AS col, CAST(v AS BIGINT) AS v FROM"
        + " (UNPIVOT long ON count_total, count_men, count_women INTO NAME name VALUE v)");
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

  static SortedMap<String, String> locked(Path dir) throws Exception {
    SortedMap<String, String> all = new TreeMap<>(Fixtures.sha256Tree(dir));
    all.remove("run.json");
    return all;
  }

  static void exec(String sql) throws Exception {
    try (Statement s = duck.createStatement()) {
      s.execute(sql);
    }
  }

  static List<String> strings(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement s = duck.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
          b.append(i > 1 ? "|" : "").append(r.getString(i));
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  static String file(String name) {
    return "'" + reference.resolve(name + ".parquet") + "'";
  }

  /** Every non-null cell of an output, as (dguid, column, value), by DuckDB's UNPIVOT. */
  static String outputCells(String name) {
    return "SELECT dguid, col, CAST(v AS BIGINT) AS v FROM (UNPIVOT (SELECT dguid,"
        + " COLUMNS(c -> c LIKE 'count_%')::VARCHAR FROM " + file(name) + ") ON COLUMNS(c -> c LIKE 'count_%')"
        + " INTO NAME col VALUE v)";
  }

  @Test
  void pivotHasEveryCellDuckDbFinds() throws Exception {
    assertThat(strings(outputCells("profile") + " EXCEPT SELECT * FROM cells"), empty());
    assertThat(strings("SELECT * FROM cells EXCEPT " + outputCells("profile")), empty());
    assertThat("one row per geography: Canada, repeated in every file, once",
        strings("SELECT count(*), count(DISTINCT dguid) FROM " + file("profile")),
        equalTo(strings("SELECT count(DISTINCT dguid), count(DISTINCT dguid) FROM long")));
  }

  @Test
  void latin1NamesArriveExactly() throws Exception {
    assertThat(strings("SELECT dguid, geo_name FROM " + file("profile") + " EXCEPT SELECT DISTINCT dguid, geo_name FROM long"),
        empty());
    assertThat(strings("SELECT geo_name FROM " + file("profile")), hasItem("Île-du-Prince-Édouard / Prince Edward Island"));
    assertThat(strings("SELECT geo_name FROM " + file("profile")), hasItem("Québec"));
  }

  @Test
  void columnsAreInNumericOrderNarrowAndNeverEmpty() throws Exception {
    List<String> cols = strings("SELECT column_name FROM (DESCRIBE SELECT * FROM " + file("profile") + ")");
    assertThat(cols.subList(0, 5), equalTo(List.of("dguid", "geo_name", "count_total_1", "count_men_1", "count_women_1")));
    assertThat("10 after 9, not after 1", cols.indexOf("count_total_10"), is(cols.indexOf("count_women_9") + 1));
    List<String> expectedCols = strings("SELECT DISTINCT col FROM cells");
    assertThat(new java.util.TreeSet<>(cols.subList(2, cols.size())), equalTo(new java.util.TreeSet<>(expectedCols)));
    List<String> types = strings("SELECT column_type FROM (DESCRIBE SELECT COLUMNS(c -> c LIKE 'count_%') FROM "
        + file("profile") + ")");
    assertThat(types, everyItem(isOneOf("TINYINT", "SMALLINT", "INTEGER")));
    assertThat(types, hasItem("SMALLINT"));
    assertThat(strings("SELECT column_type FROM (DESCRIBE SELECT dguid FROM " + file("profile") + ")"),
        equalTo(List.of("VARCHAR")));
    assertThat("no geo metadata in a table", strings("SELECT key FROM parquet_kv_metadata(" + file("profile") + ")"),
        not(hasItem("geo")));
  }

  @Test
  void semiJoinsSplitByLevel() throws Exception {
    for (String[] level : new String[][] {{"profile-provinces", "provinces"}, {"profile-census-divisions", "census_divisions"}}) {
      String boundary = "read_csv('" + tmp.resolve(level[1] + ".csv") + "', all_varchar=true)";
      assertThat(level[0], strings("SELECT dguid FROM " + file(level[0])),
          equalTo(strings("SELECT DISTINCT dguid FROM long WHERE dguid IN (SELECT DGUID FROM " + boundary + ") ORDER BY dguid")));
      assertThat(strings(outputCells(level[0]) + " EXCEPT SELECT * FROM cells"), empty());
      assertThat(strings("SELECT * FROM cells WHERE dguid IN (SELECT DGUID FROM " + boundary + ") EXCEPT "
          + outputCells(level[0])), empty());
    }
  }

  @Test
  void manifestListsTheThreeTables() throws Exception {
    var m = Fixtures.readJson(reference.resolve("manifest.json"));
    List<String> paths = new ArrayList<>();
    m.path("outputs").forEach(o -> paths.add(o.path("path").asText() + ":" + o.path("rows").asLong()));
    assertThat(paths, equalTo(List.of("profile-census-divisions.parquet:7", "profile-provinces.parquet:4",
        "profile.parquet:12")));
    assertThat(m.path("recipe").path("outputs").get(0).path("steps").get(1).has("pivot"), is(true));
  }

  @Test
  void manifestCountsEachStepsRowsAsDuckDbDoes() throws Exception {
    var m = Fixtures.readJson(reference.resolve("manifest.json"));
    java.util.Map<String, List<String>> steps = new TreeMap<>();
    m.path("outputs").forEach(o -> {
      List<String> l = new ArrayList<>();
      o.path("steps").forEach(s -> l.add(s.path("step").asText() + " " + s.path("rows_in").asLong() + " "
          + s.path("rows_out").asLong() + " " + s.path("rejected").asLong()));
      steps.put(o.path("path").asText(), l);
    });
    String raw = strings("SELECT count(*) FROM raw").get(0);
    String kept = strings("SELECT count(*) FROM long").get(0);
    String geos = strings("SELECT count(DISTINCT dguid) FROM long").get(0);
    assertThat(steps.get("profile.parquet"), equalTo(List.of("steps[0].distinct " + raw + " " + kept + " 0",
        "steps[1].pivot " + kept + " " + geos + " 0", "steps[2].narrow_types " + geos + " " + geos + " 0",
        "steps[3].drop_empty_columns " + geos + " " + geos + " 0")));
    for (String[] level : new String[][] {{"profile-provinces", "provinces"}, {"profile-census-divisions", "census_divisions"}}) {
      String in = strings("SELECT count(DISTINCT dguid) FROM long WHERE dguid IN (SELECT DGUID FROM read_csv('"
          + tmp.resolve(level[1] + ".csv") + "', all_varchar=true))").get(0);
      assertThat(steps.get(level[0] + ".parquet"), equalTo(List.of("steps[0].semi_join " + geos + " " + in + " 0",
          "steps[1].narrow_types " + in + " " + in + " 0", "steps[2].drop_empty_columns " + in + " " + in + " 0")));
    }
    // The summary of the build shows them too.
    Fixtures.Run again = run(tmp.resolve("summary"), "--parallelism", "1");
    assertThat(again.out(), containsString("steps[1].pivot"));
  }

  @Test
  void smallSplitsAndFourWorkersGiveTheSameBytes() throws Exception {
    // 200-byte splits cut every member into many parts, some next to the quoted field with a line break.
    Path out = tmp.resolve("b");
    Fixtures.Run b = run(out, "--parallelism", "4", "--features-per-split", "1");
    assertThat(b.toString(), b.exitCode(), is(0));
    assertThat(locked(out), equalTo(expected));
  }

  @Test
  void flinkGivesTheSameBytes() throws Exception {
    Path out = tmp.resolve("c");
    Fixtures.Run c = run(out, "--runner", "flink", "--parallelism", "2", "--features-per-split", "3");
    assertThat(c.toString(), c.exitCode(), is(0));
    assertThat(locked(out), equalTo(expected));
  }

  @Test
  void reproduceRebuildsTheSameBytes() {
    Fixtures.Run r = d4c("reproduce", reference.resolve("manifest.json").toString(), "--cache", cache.toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    assertThat(r.out(), containsString("bit-identical"));
  }

  @Test
  void aBuildOfTablesIsCatalogedWithTheDeclaredFootprint() throws Exception {
    Path catalog = tmp.resolve("catalog");
    Fixtures.Run add = d4c("catalog", "add", reference.toString(), "--catalog", catalog.toString());
    assertThat(add.toString(), add.exitCode(), is(0));
    var item = Fixtures.readJson(catalog.resolve("census-profile-sample/census-profile-sample-1.0.0/census-profile-sample-1.0.0.json"));
    assertThat(item.path("bbox").toString(), equalTo("[-80,44,-69,50.5]"));
    assertThat(item.path("geometry").path("type").asText(), equalTo("Polygon"));
    Fixtures.Run v = d4c("catalog", "validate", catalog.toString(), "--checksums");
    assertThat(v.toString(), v.exitCode(), is(0));
  }

  @Test
  void splitsReadEveryRecordOnce() throws Exception {
    // 167 long rows in the three files (as Python's csv module counts them), the quoted line break included.
    assertThat(strings("SELECT count(*) FROM raw"), equalTo(List.of("167")));
    assertThat(Long.parseLong(strings("SELECT count(*) FROM cells").get(0)), lessThan(167L * 3));
  }
}
