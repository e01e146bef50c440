package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes whose steps cannot work are refused before any data is read, with the file, the field path and what was
 * expected; data that breaks a step's rule fails the build naming the row's key, or is rejected and counted; a
 * member with other columns is named; a wide pivot (3,000 columns) builds in a small heap.
 */
class StepErrorsIT {
  @TempDir
  static Path tmp;
  static Path cache;

  @BeforeAll
  static void setUp() throws Exception {
    Fixtures.useStableHome();
    cache = tmp.resolve("cache");
    Files.writeString(tmp.resolve("long.csv"), "geo,charid,value\nA,1,10\nA,2,x\nB,1,7\nB,2,abc\n",
        StandardCharsets.ISO_8859_1);
    Files.writeString(tmp.resolve("dup.csv"), "geo,name\nA,Alpha\nB,Beta\nB,Bêta\n", StandardCharsets.ISO_8859_1);
  }

  @AfterAll
  static void restore() {
    Fixtures.restoreHome();
  }

  static Fixtures.Run build(String name, String outputs) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.copy(tmp.resolve("long.csv"), dir.resolve("long.csv"));
    Files.copy(tmp.resolve("dup.csv"), dir.resolve("dup.csv"));
    Path recipe = Fixtures.recipe(dir.resolve("recipe.yaml"), """
        dataset: steps
        version: 1.0.0
        title: Steps
        license: CC0-1.0
        datetime: 2024-01-01
        max_reject_fraction: 0.5
        sources:
          - id: long
            urls: [long.csv]
            null_values: [x]
          - id: dup
            urls: [dup.csv]
            encoding: ISO-8859-1
        outputs:
        """ + outputs);
    Fixtures.lock(recipe, cache);
    return d4c("build", recipe.toString(), "--out", dir.resolve("out").toString(), "--cache", cache.toString());
  }

  @Test
  void aMissingFieldIsRefusedWithItsPath() throws Exception {
    Fixtures.Run r = build("missing-field", """
          - name: wide
            source: long
            geometry: none
            steps:
              - filter: "value IS NOT NULL"
              - pivot: {key: [geo], columns: characteristic, values: [value]}
        """);
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), containsString("recipe.yaml: outputs[0].steps[1].pivot: output 'wide': no field 'characteristic'"
        + " here; the rows have [geo, charid, value]"));
    assertThat(Files.exists(tmp.resolve("missing-field/out")), is(false));
  }

  @Test
  void stepsAfterAPivotNameItsColumns() throws Exception {
    // long.csv: A has 1 -> 10 and 2 -> null (x), B has 1 -> 7 and 2 -> abc.
    Fixtures.Run r = build("after-pivot", """
          - name: wide
            source: long
            geometry: none
            steps:
              - pivot: {key: [geo], columns: charid, values: [value], name: "v_{column}"}
              - filter: "v_1 > 8 OR v_2 = 'abc'"
              - compute: {twice: "v_1 * 2", second: "coalesce(v_2, 'none')"}
        """);
    assertThat(r.toString(), r.exitCode(), is(0));
    String out = "'" + tmp.resolve("after-pivot/out/wide.parquet") + "'";
    try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var st = c.createStatement();
        var rs = st.executeQuery("SELECT string_agg(geo || ':' || CAST(twice AS VARCHAR) || ':' || second, ' ' ORDER BY geo)"
            + " FROM " + out)) {
      rs.next();
      assertThat(rs.getString(1), is("A:20:none B:14:abc"));
    }
    Fixtures.Run bad = build("after-pivot-typo", """
          - name: wide
            source: long
            geometry: none
            steps:
              - pivot: {key: [geo], columns: charid, values: [value], name: "v_{column}"}
              - filter: "w_1 > 8"
        """);
    assertThat(bad.toString(), bad.exitCode(), is(2));
    assertThat(bad.err(), containsString("outputs[0].steps[1].filter: output 'wide': the expression \"w_1 > 8\" names"
        + " field 'w_1' here; the rows have [geo, {pivot}] (a pivot's columns are named by its pattern, e.g. v_{column}"));
    assertThat(Files.exists(tmp.resolve("after-pivot-typo/out")), is(false));
  }

  @Test
  void aBadExpressionIsRefused() throws Exception {
    Fixtures.Run r = build("bad-expression", """
          - name: t
            source: long
            geometry: none
            steps:
              - compute: {double: "value * 2 +"}
        """);
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), containsString("outputs[0].steps[0].compute: output 't': cannot read the expression"));
  }

  @Test
  void aDuplicateRightKeyFailsNamingTheKey() throws Exception {
    Fixtures.Run r = build("dup-key", """
          - name: t
            source: long
            geometry: none
            steps:
              - join: {source: dup, on: {geo: geo}}
        """);
    assertThat(r.toString(), r.exitCode(), is(not(0)));
    assertThat(r.err(), containsString("the key B occurs 2 times in 'dup'"));
    assertThat(r.err(), containsString("duplicates: first or last"));
  }

  @Test
  void duplicatesLastResolvesAndLatin1Survives() throws Exception {
    Fixtures.Run r = build("dup-last", """
          - name: t
            source: long
            geometry: none
            steps:
              - join: {source: dup, on: {geo: geo}, duplicates: last}
        """);
    assertThat(r.toString(), r.exitCode(), is(0));
    try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement();
        var rs = s.executeQuery("SELECT string_agg(DISTINCT name, ',' ORDER BY name) FROM '"
            + tmp.resolve("dup-last/out/t.parquet") + "'")) {
      rs.next();
      assertThat(rs.getString(1), is("Alpha,Bêta"));
    }
  }

  /**
   * An output that selects a few columns of a CSV source read by it alone gets them straight from the reader; the
   * columns it leaves out are still checked, so the same records are rejected as when every column is read: a bad
   * declared integer and a byte Windows-1252 does not map, both in columns not selected.
   */
  @Test
  void aSelectingReadRejectsWhatAWholeReadRejects() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("select-read"));
    Files.write(dir.resolve("typed.csv"), "geo,n,note\nA,1,ok\nB,two,ok\nC,3,\u0081\nD,4,caf\u00e9\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    String head = """
        dataset: typed
        version: 1.0.0
        title: Typed
        license: CC0-1.0
        datetime: 2024-01-01
        max_reject_fraction: 0.9
        sources:
          - id: typed
            urls: [typed.csv]
            encoding: windows-1252
            types: {n: integer}
        outputs:
        """;
    java.util.Map<String, String> rejects = new java.util.TreeMap<>();
    for (String name : java.util.List.of("one", "whole")) {
      // "whole" has no select: every column is read and kept, the path every source took before.
      Path recipe = Fixtures.recipe(dir.resolve(name + ".yaml"), head + """
              - name: t
                source: typed
                geometry: none
                SELECT
                rename: {geo: g}
            """.replace("SELECT", name.equals("one") ? "select: [geo]" : ""));
      Fixtures.lock(recipe, cache);
      Fixtures.Run r = d4c("build", recipe.toString(), "--out", dir.resolve(name).toString(), "--cache", cache.toString());
      assertThat(r.toString(), r.exitCode(), is(0));
      rejects.put(name, Files.readString(dir.resolve(name + "/rejects.jsonl")));
      try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var st = c.createStatement();
          var rs = st.executeQuery("SELECT string_agg(g, ',' ORDER BY g) FROM '" + dir.resolve(name + "/t.parquet") + "'")) {
        rs.next();
        assertThat(name, rs.getString(1), is("A,D"));
      }
    }
    assertThat(rejects.get("one"), containsString("\"reason\":\"bad_value\""));
    assertThat(rejects.get("one"), containsString("\"reason\":\"undecodable_attribute\""));
    assertThat(rejects.get("one"), is(rejects.get("whole")));
  }

  /**
   * A pivot whose CSV source only its output reads gets the rows straight from the reader into its sorted runs
   * ({@code ReadCsv.intoRuns}); when a second output reads the source too, the rows go through the runner first. Both
   * give the same table bytes, the same rejects (a row with a null key) and the same step counts.
   */
  @Test
  void aPivotReadStraightIntoItsRunsGivesWhatTheRunnerPathGives() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("into-runs"));
    StringBuilder csv = new StringBuilder("geo,charid,value\n");
    for (int g = 0; g < 40; g++) {
      for (int c = 1; c <= 7; c++) csv.append("G").append(g).append(',').append(c).append(',').append(g * c).append('\n');
    }
    csv.append(",3,9\n");
    Files.write(dir.resolve("long.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
    String head = """
        dataset: long
        version: 1.0.0
        title: Long
        license: CC0-1.0
        datetime: 2024-01-01
        max_reject_fraction: 0.5
        sources:
          - id: long
            urls: [long.csv]
        outputs:
          - name: wide
            source: long
            geometry: none
            steps:
              - pivot: {key: [geo], columns: charid, values: [value], name: "v_{column}"}
              - narrow_types: true
        """;
    // shared: the source is read by two outputs, so rows reach the pivot through the runner; read: another output
    // reads the pivot's rows, so the pivot's merge hands them to the runner instead of straight to the sort.
    String shared = """
          - name: copy
            source: long
            geometry: none
        """;
    String read = """
          - name: again
            source: wide
            geometry: none
        """;
    java.util.Map<String, byte[]> tables = new java.util.TreeMap<>();
    java.util.Map<String, String> rejects = new java.util.TreeMap<>();
    java.util.Map<String, String> counts = new java.util.TreeMap<>();
    java.util.Map<String, String> variants = java.util.Map.of("alone", "", "shared", shared, "read", read,
        "shared-read", shared + read);
    for (String name : new java.util.TreeSet<>(variants.keySet())) {
      Path recipe = Fixtures.recipe(dir.resolve(name + ".yaml"), head + variants.get(name));
      Fixtures.lock(recipe, cache);
      Fixtures.Run r = d4c("build", recipe.toString(), "--out", dir.resolve(name).toString(), "--cache", cache.toString());
      assertThat(r.toString(), r.exitCode(), is(0));
      tables.put(name, Files.readAllBytes(dir.resolve(name + "/wide.parquet")));
      rejects.put(name, Files.readString(dir.resolve(name + "/rejects.jsonl")));
      for (var o : new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(name + "/manifest.json")
          .toFile()).path("outputs")) {
        if (o.path("steps").size() > 0) counts.put(name, o.path("steps").toString());
      }
    }
    assertThat(rejects.get("alone"), containsString("\"reason\":\"pivot_null_key\""));
    assertThat(counts.get("alone"), containsString("\"rows_in\":281"));
    assertThat(counts.get("alone"), containsString("\"rejected\":1"));
    // the pivot's 40 rows out, and into narrow_types after it
    assertThat(counts.get("alone"), containsString("{\"rejected\":0,\"rows_in\":40,\"rows_out\":40,\"step\":\"steps[1].narrow_types\"}"));
    for (String name : variants.keySet()) {
      assertThat(name, rejects.get(name), is(rejects.get("alone")));
      assertThat(name, counts.get(name), is(counts.get("alone")));
      assertThat(name, java.util.Arrays.equals(tables.get(name), tables.get("alone")), is(true));
    }
  }

  @Test
  void anAggregateOverTextIsRejectedAndCounted() throws Exception {
    Fixtures.Run r = build("agg-text", """
          - name: t
            source: long
            geometry: none
            steps:
              - compute: {twice: "value * 2"}
        """);
    assertThat(r.toString(), r.exitCode(), is(0));
    String rejects = Files.readString(tmp.resolve("agg-text/out/rejects.jsonl"));
    assertThat(rejects, containsString("\"reason\":\"expression_failed\""));
    assertThat(rejects, containsString("t step 1 (compute): not a number: \\\"abc\\\""));
    assertThat(Files.readString(tmp.resolve("agg-text/out/manifest.json")), containsString("\"expression_failed\": 1"));
  }

  /** 20,000 geographies x 3,000 characteristics, 10 per geography: 200,000 long rows to a 20,000 x 3,001 table. */
  static Path widePivot(String name) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    StringBuilder b = new StringBuilder("geo,charid,value\n");
    java.util.Random rnd = new java.util.Random(7);
    for (int g = 0; g < 20_000; g++) {
      for (int k = 0; k < 10; k++) {
        b.append("G").append(g).append(',').append((g * 7 + k * 300) % 3000 + 1).append(',').append(rnd.nextInt(50_000))
            .append('\n');
      }
    }
    Files.writeString(dir.resolve("wide.csv"), b);
    Path recipe = Fixtures.recipe(dir.resolve("recipe.yaml"), """
        dataset: wide
        version: 1.0.0
        title: Wide
        license: CC0-1.0
        datetime: 2024-01-01
        sources:
          - id: long
            urls: [wide.csv]
        outputs:
          - name: wide
            source: long
            geometry: none
            steps:
              - pivot: {key: [geo], columns: charid, values: [value], name: "v_{column}"}
              - narrow_types: true
        """);
    Fixtures.lock(recipe, cache);
    return recipe;
  }

  static void assertWide(Path dir) throws Exception {
    String out = "'" + dir.resolve("out/wide.parquet") + "'";
    try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
      try (var rs = s.executeQuery("SELECT count(*), (SELECT count(*) FROM (DESCRIBE SELECT * FROM " + out + ")) FROM "
          + out)) {
        rs.next();
        assertThat(rs.getLong(1), is(20_000L));
        assertThat(rs.getLong(2), is(3_001L));
      }
      // Every cell DuckDB finds in the long rows is in the table, and nothing else.
      s.execute("CREATE TABLE expected AS SELECT geo, 'v_' || charid AS col, CAST(value AS BIGINT) AS v FROM read_csv('"
          + dir.resolve("wide.csv") + "', all_varchar=true)");
      s.execute("CREATE TABLE actual AS SELECT geo, col, CAST(v AS BIGINT) AS v FROM (UNPIVOT (SELECT * FROM " + out
          + ") ON COLUMNS(* EXCLUDE (geo)) INTO NAME col VALUE v)");
      for (String q : List.of("SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual)",
          "SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected)", "SELECT count(*) - 200000 FROM actual")) {
        try (var rs = s.executeQuery(q)) {
          rs.next();
          assertThat(q, rs.getLong(1), is(0L));
        }
      }
    }
  }

  @Test
  void aWidePivotBuildsInASmallHeap() throws Exception {
    // On the Flink mini-cluster, two slots, in a child JVM with a 768 MB heap.
    Path recipe = widePivot("wide");
    Path dir = recipe.getParent();
    Fixtures.Run r = Fixtures.d4cSubprocess(dir, java.util.Map.of(), List.of("-Xmx768m"), null,
        "build", recipe.toString(), "--out", dir.resolve("out").toString(), "--cache", cache.toString(),
        "--runner", "flink", "--parallelism", "2");
    assertThat(r.toString(), r.exitCode(), is(0));
    assertWide(dir);
  }

  @Test
  void aWidePivotBuildsOnTheDirectRunnerIn256Mb() throws Exception {
    // The pivot groups through sorted run files (GroupInRuns): the Direct runner neither holds every row nor makes
    // one bundle per key.
    Path recipe = widePivot("wide-direct");
    Path dir = recipe.getParent();
    Fixtures.Run r = Fixtures.d4cSubprocess(dir, java.util.Map.of(), List.of("-Xmx256m"), null,
        "build", recipe.toString(), "--out", dir.resolve("out").toString(), "--cache", cache.toString(),
        "--runner", "direct");
    assertThat(r.toString(), r.exitCode(), is(0));
    assertWide(dir);
  }
}
