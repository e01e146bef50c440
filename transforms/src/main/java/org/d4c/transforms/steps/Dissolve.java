package org.d4c.transforms.steps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.sort.GroupInRuns;
import org.d4c.transforms.table.Column;
import org.d4c.transforms.table.TableSchema;
import org.d4c.transforms.table.Values;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.operation.union.UnaryUnionOp;

/**
 * One row per key: the union of the group's geometries (JTS unary union, made valid) and aggregates of its fields:
 * {@code sum(F)}, {@code min(F)}, {@code max(F)}, {@code count()}, {@code first(F)} (first row in data order). Rows
 * are combined in data order, so the result does not depend on the runner. A row whose value is not a number under
 * sum/min/max is rejected and left out of the group; a group whose union fails is rejected whole.
 */
public final class Dissolve extends PTransform<PCollection<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  private static final Pattern AGGREGATE = Pattern.compile("\\s*(sum|min|max|first|count)\\(\\s*([^()]*?)\\s*\\)\\s*");
  private final String label;
  private final int[] by;
  private final String[] functions;
  private final int[] fields;
  private final TableSchema output;
  private final String runFolder;
  private final int memoryMb;

  private Dissolve(String label, int[] by, String[] functions, int[] fields, TableSchema output, String runFolder,
      int memoryMb) {
    this.label = label;
    this.by = by;
    this.functions = functions;
    this.fields = fields;
    this.output = output;
    this.runFolder = runFolder;
    this.memoryMb = memoryMb;
  }

  /**
   * Groups through sorted run files in {@code folder} ({@link GroupInRuns}) instead of the runner's group-by-key:
   * one group at a time is in memory. Same output.
   */
  public Dissolve withRunsIn(String folder, int memoryMb) {
    return new Dissolve(label, by, functions, fields, output, folder, memoryMb);
  }

  /** @param aggregates new field name to {@code fn(FIELD)} */
  public static Dissolve of(String label, TableSchema in, List<String> by, Map<String, String> aggregates) {
    if (!in.hasGeometry()) {
      throw new IllegalArgumentException("dissolve unites geometries, and these rows have none");
    }
    int[] b = in.require(by);
    List<Column> cols = new ArrayList<>();
    for (int i : b) cols.add(in.column(i));
    String[] fn = new String[aggregates.size()];
    int[] fld = new int[aggregates.size()];
    int k = 0;
    for (Map.Entry<String, String> e : new LinkedHashMap<>(aggregates).entrySet()) {
      Matcher m = AGGREGATE.matcher(e.getValue());
      if (!m.matches()) {
        throw new IllegalArgumentException("aggregate." + e.getKey() + ": expected sum(FIELD), min(FIELD), max(FIELD),"
            + " first(FIELD) or count(), got \"" + e.getValue() + "\"");
      }
      fn[k] = m.group(1);
      fld[k] = fn[k].equals("count") ? -1 : in.require(m.group(2));
      cols.add(fn[k].equals("first") ? in.column(fld[k]).renamed(e.getKey()) : Column.inferred(e.getKey()));
      k++;
    }
    return new Dissolve(label, b, fn, fld, new TableSchema(cols, true), null, 0);
  }

  public TableSchema outputSchema() {
    return output;
  }

  /** The group of a row: the order key of its by-fields (without the row's own position). */
  static byte[] groupOf(Feature f, int[] b) {
    byte[] k = Values.orderKey(f, b);
    return java.util.Arrays.copyOf(k, k.length - 16);
  }

  @Override
  public PCollectionTuple expand(PCollection<Feature> input) {
    int[] b = by;
    if (runFolder != null) {
      UniteFn unite = new UniteFn(label, by, functions, fields);
      return PCollectionList.of(input).apply("Gather groups", GroupInRuns.of(label, List.of(f -> groupOf(f, b)),
          (group, rows, emit) -> {
            List<Feature> members = new ArrayList<>();
            rows.forEachRemaining(m -> members.add(m.row()));
            unite.unite(members, emit);
          }, runFolder, memoryMb));
    }
    return StepOutputs.coded(input
        .apply("Key by group", ParDo.of(new DoFn<Feature, KV<String, Feature>>() {
          @ProcessElement
          public void process(@Element Feature f, OutputReceiver<KV<String, Feature>> out) {
            out.output(KV.of(java.util.HexFormat.of().formatHex(groupOf(f, b)), f));
          }
        })).setCoder(KvCoder.of(StringUtf8Coder.of(), FeatureCoder.of()))
        .apply("Gather groups", GroupByKey.create())
        .apply("Unite each group", ParDo.of(new UniteFn(label, by, functions, fields))
            .withOutputTags(StepOutputs.ROWS, TupleTagList.of(StepOutputs.REJECTS))));
  }

  static final class UniteFn extends DoFn<KV<String, Iterable<Feature>>, Feature> {
    private static final long serialVersionUID = 1L;
    private final String label;
    private final int[] by;
    private final String[] functions;
    private final int[] fields;

    UniteFn(String label, int[] by, String[] functions, int[] fields) {
      this.label = label;
      this.by = by;
      this.functions = functions;
      this.fields = fields;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Feature>> group, MultiOutputReceiver out) {
      List<Feature> rows = new ArrayList<>();
      group.getValue().forEach(rows::add);
      unite(rows, new GroupInRuns.Emit() {
        @Override
        public void row(Feature f) {
          out.get(StepOutputs.ROWS).output(f);
        }

        @Override
        public void reject(org.d4c.transforms.rejects.Reject r) {
          out.get(StepOutputs.REJECTS).output(r);
        }
      });
    }

    /** One group's row (or rejects), its rows in any order. */
    void unite(List<Feature> rows, GroupInRuns.Emit out) {
      rows.sort(Values.DATA_ORDER);
      Object[] acc = new Object[functions.length];
      long[] counts = new long[functions.length];
      List<Feature> kept = new ArrayList<>();
      for (Feature f : rows) {
        String bad = null;
        for (int i = 0; i < functions.length && bad == null; i++) {
          if ((functions[i].equals("sum") || functions[i].equals("min") || functions[i].equals("max"))
              && f.value(fields[i]) != null) {
            try {
              Values.number(f.value(fields[i]));
            } catch (NumberFormatException e) {
              bad = functions[i] + "(): " + e.getMessage();
            }
          }
        }
        if (bad != null) {
          out.reject(StepOutputs.reject(label, f, "aggregate_not_a_number", bad));
          continue;
        }
        kept.add(f);
        for (int i = 0; i < functions.length; i++) {
          Object v = fields[i] < 0 ? null : f.value(fields[i]);
          switch (functions[i]) {
            case "count" -> counts[i]++;
            case "first" -> {
              if (counts[i]++ == 0) acc[i] = v;
            }
            case "sum" -> {
              if (v != null) acc[i] = acc[i] == null ? Values.number(v) : Expr.arith("+", acc[i], v);
            }
            case "min" -> {
              if (v != null && (acc[i] == null || Expr.compare(v, acc[i]) < 0)) acc[i] = Values.number(v);
            }
            case "max" -> {
              if (v != null && (acc[i] == null || Expr.compare(v, acc[i]) > 0)) acc[i] = Values.number(v);
            }
            default -> throw new IllegalStateException(functions[i]);
          }
        }
      }
      if (kept.isEmpty()) return;
      Feature first = kept.get(0);
      Geometry union;
      try {
        List<Geometry> geoms = new ArrayList<>();
        for (Feature f : kept) geoms.add(f.geometry());
        union = UnaryUnionOp.union(geoms);
        if (!union.isValid()) union = GeometryFixer.fix(union);
        if (union == null || union.isEmpty()) throw new IllegalArgumentException("the union is empty");
      } catch (RuntimeException e) {
        out.reject(StepOutputs.reject(label, first, "union_failed",
            "the " + kept.size() + " geometries of the group cannot be united: " + e.getMessage()));
        return;
      }
      Object[] v = new Object[by.length + functions.length];
      for (int i = 0; i < by.length; i++) v[i] = first.value(by[i]);
      for (int i = 0; i < functions.length; i++) v[by.length + i] = functions[i].equals("count") ? (Object) counts[i] : acc[i];
      out.row(new Feature(first.source(), first.fid(), union, v));
    }
  }
}
