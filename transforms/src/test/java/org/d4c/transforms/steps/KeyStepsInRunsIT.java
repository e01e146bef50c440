package org.d4c.transforms.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.join.Join;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.sort.SortByHilbert;
import org.d4c.transforms.table.Column;
import org.d4c.transforms.table.TableSchema;
import org.d4c.transforms.testing.Pipelines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * The key-based steps give the same rows and rejects whether they group with the runner's group-by-key or through
 * sorted run files ({@code withRunsIn}), on data with repeated keys, null keys, duplicates and conflicts.
 */
class KeyStepsInRunsIT {
  @TempDir
  Path tmp;

  static final TableSchema LONG = new TableSchema(List.of(Column.inferred("geo"), Column.inferred("charid"),
      Column.inferred("a"), Column.inferred("b")), false);
  static final TableSchema NAMES = new TableSchema(List.of(Column.inferred("code"), Column.inferred("name")), false);

  /** Long rows over 100 keys and 20 characteristics, some repeated (same or other values), some with a null key. */
  static List<Feature> longRows() {
    Random r = new Random(11);
    List<Feature> rows = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      Object geo = r.nextInt(50) == 0 ? null : "G" + r.nextInt(100);
      Object charid = r.nextInt(80) == 0 ? null : (long) (r.nextInt(20) + 1);
      Object a = r.nextInt(10) == 0 ? null : (long) r.nextInt(3);
      rows.add(new Feature(r.nextInt(3), i, null, new Object[] {geo, charid, a, "t" + r.nextInt(4)}));
    }
    return rows;
  }

  static List<Feature> names(boolean withDuplicates) {
    List<Feature> rows = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      rows.add(new Feature(5, i, null, new Object[] {"G" + i, "name " + i}));
      if (withDuplicates && i % 7 == 0) {
        rows.add(new Feature(5, 1000 + i, null, new Object[] {"G" + i, "other " + i}));
      }
    }
    rows.add(new Feature(5, 5000, null, new Object[] {null, "no code"}));
    return rows;
  }

  /** Rows and rejects of a step run both ways, each as sorted hex of encoded rows / reject text. */
  List<List<String>> both(List<Feature> input, List<Feature> right,
      BiFunction<PCollection<Feature>, PCollection<Feature>, PCollectionTuple> grouping,
      BiFunction<PCollection<Feature>, PCollection<Feature>, PCollectionTuple> inRuns) throws Exception {
    List<List<String>> out = new ArrayList<>();
    for (var step : List.of(grouping, inRuns)) {
      Pipeline p = Pipelines.direct("--targetParallelism=2");
      PCollection<Feature> in = p.apply("Input", Create.of(input).withCoder(FeatureCoder.of()));
      PCollection<Feature> r = p.apply("Right", Create.of(right.isEmpty() ? input : right).withCoder(FeatureCoder.of()));
      PCollectionTuple t = step.apply(in, r);
      Pipelines.Sink<Feature> rows = Pipelines.collect(t.get(StepOutputs.ROWS));
      Pipelines.Sink<Reject> rejects = Pipelines.collect(t.get(StepOutputs.REJECTS));
      Pipelines.run(p);
      out.add(rows.get().stream().map(f -> HexFormat.of().formatHex(SortByHilbert.encode(f))).sorted().toList());
      // Which two values a conflict names depends on the order rows reach the group-by-key's workers; through the
      // run files they come in data order. The row and the reason are the same either way.
      out.add(rejects.get().stream().map(x -> x.source() + " " + x.fid() + " " + x.reason()
          + (x.reason().equals("pivot_conflict") ? "" : " " + x.detail())).sorted().toList());
    }
    return out;
  }

  void assertSame(List<List<String>> r) {
    assertThat(r.get(0).size(), greaterThan(0));
    assertThat("rows", r.get(2), is(r.get(0)));
    assertThat("rejects", r.get(3), is(r.get(1)));
  }

  String runs() throws Exception {
    return Files.createTempDirectory(tmp, "runs").toString();
  }

  @Test
  void pivotIsTheSame() throws Exception {
    for (Pivot.Duplicates d : Pivot.Duplicates.values()) {
      Pivot pv = Pivot.of("p", LONG, List.of("geo"), "charid", List.of("a", "b"), null, d);
      String runs = runs();
      List<List<String>> r = both(longRows(), List.of(), (in, x) -> in.apply(pv), (in, x) -> in.apply(pv.withRunsIn(runs, 1)));
      assertSame(r);
      if (d == Pivot.Duplicates.ERROR) {
        assertThat(r.get(3).stream().filter(x -> x.contains("pivot_conflict")).count(), greaterThan(0L));
      }
    }
  }

  @Test
  void distinctIsTheSame() throws Exception {
    for (boolean last : new boolean[] {false, true}) {
      Distinct d = Distinct.of(LONG, List.of("geo", "charid"), last);
      String runs = runs();
      List<List<String>> r = both(longRows(), List.of(), (in, x) -> in.apply(d),
          (in, x) -> in.apply(d.withRunsIn("distinct", runs, 1)));
      assertSame(r);
      assertThat(r.get(0).size() < longRows().size(), is(true));
    }
  }

  @Test
  void joinsAreTheSame() throws Exception {
    for (Join.Kind kind : Join.Kind.values()) {
      for (Join.Duplicates dup : List.of(Join.Duplicates.FIRST, Join.Duplicates.LAST)) {
        String runs = runs();
        List<List<String>> r = both(longRows(), names(true), (in, right) -> in.apply(join(kind, right, dup)),
            (in, right) -> in.apply(join(kind, right, dup).withRunsIn(runs, 1)));
        assertSame(r);
      }
    }
  }

  static Join join(Join.Kind kind, PCollection<Feature> right, Join.Duplicates dup) {
    return switch (kind) {
      case LEFT, INNER -> Join.join("j", LONG, right, "names", NAMES, Map.of("geo", "code"), kind == Join.Kind.INNER,
          List.of(), "n_", dup);
      case SEMI, ANTI -> Join.semi("j", LONG, right, "names", NAMES, Map.of("geo", "code"), kind == Join.Kind.ANTI);
    };
  }

  @Test
  void dissolveIsTheSame() throws Exception {
    GeometryFactory gf = new GeometryFactory();
    Random rnd = new Random(3);
    List<Feature> squares = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int x = rnd.nextInt(20);
      int y = rnd.nextInt(20);
      var g = gf.createPolygon(new Coordinate[] {new Coordinate(x, y), new Coordinate(x + 1, y),
          new Coordinate(x + 1, y + 1), new Coordinate(x, y + 1), new Coordinate(x, y)});
      Object value = i % 37 == 0 ? "n/a" : (Object) (long) i;
      squares.add(new Feature(0, i, g, new Object[] {"R" + (x / 5), value}));
    }
    TableSchema schema = new TableSchema(List.of(Column.inferred("region"), Column.inferred("pop")), true);
    Dissolve d = Dissolve.of("d", schema, List.of("region"), Map.of("total", "sum(pop)", "n", "count()",
        "first", "first(pop)"));
    String runs = runs();
    List<List<String>> r = both(squares, List.of(), (in, x) -> in.apply(d), (in, x) -> in.apply(d.withRunsIn(runs, 1)));
    assertSame(r);
    assertThat(r.get(0).size(), is(4));
    assertThat(r.get(1).size(), greaterThan(0));
  }
}
