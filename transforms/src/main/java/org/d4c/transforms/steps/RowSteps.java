package org.d4c.transforms.steps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.read.Gdal;
import org.d4c.transforms.table.Column;
import org.d4c.transforms.table.TableSchema;

/**
 * Row-by-row steps: {@link #filter} keeps rows whose condition is true (false and NULL drop them, as SQL's WHERE
 * does); {@link #compute} adds or replaces fields from expressions, their type settled from the values at the end. A
 * row whose expression cannot be evaluated (arithmetic on text that is no number) is rejected with the reason.
 */
public final class RowSteps extends PTransform<PCollection<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  private final String label;
  private final Expr condition;
  private final List<Expr> computed;
  private final int[] targets;
  private final int width;
  private final TableSchema output;

  private RowSteps(String label, Expr condition, List<Expr> computed, int[] targets, int width, TableSchema output) {
    this.label = label;
    this.condition = condition;
    this.computed = computed;
    this.targets = targets;
    this.width = width;
    this.output = output;
  }

  public static RowSteps filter(String label, TableSchema in, String condition, String crs) {
    return new RowSteps(label, Expr.parse(condition, in, new GeodesicMeasure(crs)), List.of(), new int[0], in.size(), in);
  }

  /** @param fields new or replaced field name to expression, in order */
  public static RowSteps compute(String label, TableSchema in, Map<String, String> fields, String crs) {
    List<Expr> exprs = new ArrayList<>();
    List<Column> cols = new ArrayList<>(in.columns());
    int[] targets = new int[fields.size()];
    int i = 0;
    for (Map.Entry<String, String> e : new LinkedHashMap<>(fields).entrySet()) {
      exprs.add(Expr.parse(e.getValue(), in, new GeodesicMeasure(crs)));
      int at = in.indexOf(e.getKey());
      if (at < 0) {
        at = cols.size();
        cols.add(Column.inferred(e.getKey()));
      } else {
        cols.set(at, Column.inferred(e.getKey()));
      }
      targets[i++] = at;
    }
    return new RowSteps(label, null, exprs, targets, cols.size(), in.withColumns(cols));
  }

  public TableSchema outputSchema() {
    return output;
  }

  @Override
  public PCollectionTuple expand(PCollection<Feature> input) {
    return StepOutputs.coded(input.apply(condition != null ? "Keep rows" : "Compute fields",
        ParDo.of(new RowFn(label, condition, computed, targets, width))
            .withOutputTags(StepOutputs.ROWS, TupleTagList.of(StepOutputs.REJECTS))));
  }

  static final class RowFn extends DoFn<Feature, Feature> {
    private static final long serialVersionUID = 1L;
    private final String label;
    private final Expr condition;
    private final List<Expr> computed;
    private final int[] targets;
    private final int width;

    RowFn(String label, Expr condition, List<Expr> computed, int[] targets, int width) {
      this.label = label;
      this.condition = condition;
      this.computed = computed;
      this.targets = targets;
      this.width = width;
    }

    @Setup
    public void setup() {
      Gdal.start();
    }

    @ProcessElement
    public void process(@Element Feature f, MultiOutputReceiver out) {
      try {
        if (condition != null) {
          if (Expr.truthy(condition.eval(f))) {
            out.get(StepOutputs.ROWS).output(f);
          }
          return;
        }
        Object[] v = new Object[width];
        for (int i = 0; i < f.valueCount(); i++) v[i] = f.value(i);
        Object[] results = new Object[targets.length];
        for (int i = 0; i < targets.length; i++) results[i] = computed.get(i).eval(f);
        for (int i = 0; i < targets.length; i++) v[targets[i]] = results[i];
        out.get(StepOutputs.ROWS).output(f.withValues(v));
      } catch (IllegalArgumentException e) {
        out.get(StepOutputs.REJECTS).output(StepOutputs.reject(label, f, "expression_failed", e.getMessage()));
      }
    }
  }
}
