package org.d4c.transforms.join;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.steps.StepOutputs;
import org.d4c.transforms.table.Column;
import org.d4c.transforms.table.TableSchema;
import org.d4c.transforms.table.Values;

/**
 * Attribute joins by key through a co-group (both sides are shuffled by key, neither has to fit in memory):
 * {@link #join} adds the matching right row's fields (many-to-one; left or inner), {@link #semi} keeps left rows whose
 * key the right side has, {@link #anti} keeps those it lacks. Keys compare by canonical text, so the text "42" of a
 * CSV matches the integer 42 of a GeoPackage; a key with a null never matches.
 *
 * <p>A right key that occurs more than once fails the build naming the key, unless {@code duplicates} is first or
 * last: then the first or last right row in data order is used.
 */
public final class Join extends PTransform<PCollection<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public enum Kind { LEFT, INNER, SEMI, ANTI }

  public enum Duplicates { ERROR, FIRST, LAST }

  private final String label;
  private final Kind kind;
  private final transient PCollection<Feature> right;
  private final String rightName;
  private final int[] leftKey;
  private final int[] rightKey;
  private final int[] rightKeep;
  private final Duplicates duplicates;
  private final TableSchema output;

  private Join(String label, Kind kind, PCollection<Feature> right, String rightName, int[] leftKey, int[] rightKey,
      int[] rightKeep, Duplicates duplicates, TableSchema output) {
    this.label = label;
    this.kind = kind;
    this.right = right;
    this.rightName = rightName;
    this.leftKey = leftKey;
    this.rightKey = rightKey;
    this.rightKeep = rightKeep;
    this.duplicates = duplicates;
    this.output = output;
  }

  /**
   * A left or inner join.
   *
   * @param on left field to right field, in key order
   * @param select right fields to add (empty: every right field but the key fields)
   * @param prefix put before the added fields' names ("" for none)
   * @throws IllegalArgumentException naming a field either side lacks, or a clash of names
   */
  public static Join join(String label, TableSchema left, PCollection<Feature> right, String rightName,
      TableSchema rightSchema, Map<String, String> on, boolean inner, List<String> select, String prefix,
      Duplicates duplicates) {
    int[][] keys = keys(left, rightSchema, on, rightName);
    List<String> names = new ArrayList<>(select);
    if (names.isEmpty()) {
      for (Column c : rightSchema.columns()) {
        if (!on.containsValue(c.name()) && !c.isPivot()) {
          names.add(c.name());
        }
      }
    }
    int[] keep = requireIn(rightSchema, names, rightName);
    List<Column> added = new ArrayList<>();
    for (int i : keep) {
      added.add(rightSchema.column(i).renamed((prefix == null ? "" : prefix) + rightSchema.column(i).name()));
    }
    TableSchema out;
    try {
      out = left.plus(added);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (the join adds " + added.stream().map(Column::name).toList()
          + ")");
    }
    return new Join(label, inner ? Kind.INNER : Kind.LEFT, right, rightName, keys[0], keys[1], keep, duplicates, out);
  }

  /** Keeps left rows whose key the right side has ({@code anti}: lacks). */
  public static Join semi(String label, TableSchema left, PCollection<Feature> right, String rightName,
      TableSchema rightSchema, Map<String, String> on, boolean anti) {
    int[][] keys = keys(left, rightSchema, on, rightName);
    return new Join(label, anti ? Kind.ANTI : Kind.SEMI, right, rightName, keys[0], keys[1], new int[0],
        Duplicates.FIRST, left);
  }

  private static int[][] keys(TableSchema left, TableSchema rightSchema, Map<String, String> on, String rightName) {
    Map<String, String> pairs = new LinkedHashMap<>(on);
    int[] l = left.require(new ArrayList<>(pairs.keySet()));
    int[] r = requireIn(rightSchema, new ArrayList<>(pairs.values()), rightName);
    return new int[][] {l, r};
  }

  private static int[] requireIn(TableSchema schema, List<String> names, String name) {
    try {
      return schema.require(names);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("in '" + name + "': " + e.getMessage());
    }
  }

  public TableSchema outputSchema() {
    return output;
  }

  @Override
  public PCollectionTuple expand(PCollection<Feature> input) {
    TupleTag<Feature> leftTag = new TupleTag<>() {};
    TupleTag<Feature> rightTag = new TupleTag<>() {};
    int[] lk = leftKey;
    int[] rk = rightKey;
    int[] keep = rightKeep;
    boolean semi = kind == Kind.SEMI || kind == Kind.ANTI;
    PCollectionTuple splitLeft = input.apply("Key left rows", ParDo.of(new DoFn<Feature, KV<String, Feature>>() {
      @ProcessElement
      public void process(@Element Feature f, MultiOutputReceiver out) {
        String k = Values.key(f, lk);
        if (k == null) {
          out.get(NULL_KEY).output(f);
        } else {
          out.get(KEYED).output(KV.of(k, f));
        }
      }
    }).withOutputTags(KEYED, TupleTagList.of(NULL_KEY)));
    PCollection<KV<String, Feature>> left = splitLeft.get(KEYED)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), FeatureCoder.of()));
    PCollection<Feature> nullKeys = splitLeft.get(NULL_KEY).setCoder(FeatureCoder.of());
    // Only the fields the join adds travel with the right rows.
    PCollection<KV<String, Feature>> rightKeyed = right.apply("Key rows of " + rightName,
        ParDo.of(new DoFn<Feature, KV<String, Feature>>() {
          @ProcessElement
          public void process(@Element Feature f, OutputReceiver<KV<String, Feature>> out) {
            String k = Values.key(f, rk);
            if (k == null) {
              return;
            }
            Object[] v = new Object[keep.length];
            for (int i = 0; i < keep.length; i++) {
              v[i] = f.value(keep[i]);
            }
            out.output(KV.of(k, new Feature(f.source(), f.fid(), null, v)));
          }
        })).setCoder(KvCoder.of(StringUtf8Coder.of(), FeatureCoder.of()));
    PCollection<KV<String, CoGbkResult>> grouped = KeyedPCollectionTuple.of(leftTag, left).and(rightTag, rightKeyed)
        .apply("Group both sides by key", CoGroupByKey.create());
    Kind k = kind;
    Duplicates dup = duplicates;
    String lbl = label;
    String rn = rightName;
    int added = keep.length;
    PCollectionTuple joined = grouped.apply("Match rows", ParDo.of(new DoFn<KV<String, CoGbkResult>, Feature>() {
      @ProcessElement
      public void process(@Element KV<String, CoGbkResult> g, MultiOutputReceiver out) {
        Feature match = null;
        int count = 0;
        for (Feature r : g.getValue().getAll(rightTag)) {
          count++;
          if (match == null || (dup == Duplicates.LAST ? Values.DATA_ORDER.compare(r, match) > 0
              : Values.DATA_ORDER.compare(r, match) < 0)) {
            match = r;
          }
        }
        if (count > 1 && dup == Duplicates.ERROR && !semi) {
          boolean anyLeft = g.getValue().getAll(leftTag).iterator().hasNext();
          if (anyLeft) {
            throw new org.d4c.transforms.steps.StepException(lbl + ": the key " + g.getKey() + " occurs " + count + " times in '" + rn
                + "': a join adds one row's fields; fix the source or set duplicates: first or last");
          }
        }
        for (Feature l : g.getValue().getAll(leftTag)) {
          switch (k) {
            case SEMI -> {
              if (match != null) out.get(StepOutputs.ROWS).output(l);
            }
            case ANTI -> {
              if (match == null) out.get(StepOutputs.ROWS).output(l);
            }
            case INNER, LEFT -> {
              if (match == null && k == Kind.INNER) {
                continue;
              }
              out.get(StepOutputs.ROWS).output(extend(l, match, added));
            }
          }
        }
      }
    }).withOutputTags(StepOutputs.ROWS, TupleTagList.of(StepOutputs.REJECTS)));
    StepOutputs.coded(joined);
    PCollection<Feature> passNull = nullKeys.apply("Rows with a null key", ParDo.of(new DoFn<Feature, Feature>() {
      @ProcessElement
      public void process(@Element Feature f, OutputReceiver<Feature> out) {
        // A null key matches nothing: kept by a left and an anti join, dropped by inner and semi joins.
        if (k == Kind.LEFT) {
          out.output(extend(f, null, added));
        } else if (k == Kind.ANTI) {
          out.output(f);
        }
      }
    })).setCoder(FeatureCoder.of());
    PCollection<Feature> rows = org.apache.beam.sdk.values.PCollectionList.of(joined.get(StepOutputs.ROWS)).and(passNull)
        .apply("All joined rows", org.apache.beam.sdk.transforms.Flatten.pCollections());
    return PCollectionTuple.of(StepOutputs.ROWS, rows).and(StepOutputs.REJECTS, joined.get(StepOutputs.REJECTS));
  }

  private static final TupleTag<KV<String, Feature>> KEYED = new TupleTag<>() {};
  private static final TupleTag<Feature> NULL_KEY = new TupleTag<>() {};

  static Feature extend(Feature left, Feature right, int added) {
    Object[] v = new Object[left.valueCount() + added];
    for (int i = 0; i < left.valueCount(); i++) {
      v[i] = left.value(i);
    }
    for (int i = 0; i < added; i++) {
      v[left.valueCount() + i] = right == null ? null : right.value(i);
    }
    return left.withValues(v);
  }
}
