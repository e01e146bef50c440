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

  @Test
  void aWidePivotBuildsInASmallHeap() throws Exception {
    // 20,000 geographies x 3,000 characteristics (each geography has 10 of them, every characteristic some): 200,000
    // long rows, a table of 20,000 rows and 3,001 columns, in a child JVM with a 768 MB heap, on the Flink mini-cluster
    // (the Direct runner's group-by-key makes one bundle per key: far too slow for 20,000 keys).
    Path dir = Files.createDirectories(tmp.resolve("wide"));
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
    Fixtures.Run r = Fixtures.d4cSubprocess(dir, java.util.Map.of(), List.of("-Xmx768m"), null,
        "build", recipe.toString(), "--out", dir.resolve("out").toString(), "--cache", cache.toString(),
        "--runner", "flink", "--parallelism", "2");
    assertThat(r.toString(), r.exitCode(), is(0));
    try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*), (SELECT count(*) FROM (DESCRIBE SELECT * FROM '"
            + dir.resolve("out/wide.parquet") + "')) FROM '" + dir.resolve("out/wide.parquet") + "'")) {
      rs.next();
      assertThat(rs.getLong(1), is(20_000L));
      assertThat(rs.getLong(2), is(3_001L));
    }
  }
}
