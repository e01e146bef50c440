package org.d4c.transforms.join;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.sort.GroupInRuns;
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
  private String runFolder;
  private int memoryMb;

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

  /**
   * Groups both sides through sorted run files in {@code folder} ({@link GroupInRuns}) instead of a co-group: memory
   * then does not grow with the rows (a key's right rows are read before its left rows, which stream). Same output.
   */
  public Join withRunsIn(String folder, int memoryMb) {
    Join j = new Join(label, kind, right, rightName, leftKey, rightKey, rightKeep, duplicates, output);
    j.runFolder = folder;
    j.memoryMb = memoryMb;
    return j;
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
    Kind k = kind;
    Duplicates dup = duplicates;
    String lbl = label;
    String rn = rightName;
    int added = keep.length;
    PCollectionTuple joined;
    if (runFolder != null) {
      // The key travels as the right row's last value; the left row's key is computed again.
      PCollection<Feature> rightRows = rightKeyed.apply("Right rows with their key", MapElements.via(new WithKey()))
          .setCoder(FeatureCoder.of());
      PCollection<Feature> leftRows = left.apply("Left rows", org.apache.beam.sdk.transforms.Values.create())
          .setCoder(FeatureCoder.of());
      joined = PCollectionList.of(rightRows).and(leftRows).apply("Group both sides by key", GroupInRuns.of(label,
          List.of(f -> ((String) f.value(added)).getBytes(UTF_8), f -> Values.key(f, lk).getBytes(UTF_8)),
          (key, rows, emit) -> match(new String(key, UTF_8), rows, emit, k, dup, lbl, rn, added),
          runFolder, memoryMb));
    } else {
      PCollection<KV<String, CoGbkResult>> grouped = KeyedPCollectionTuple.of(leftTag, left).and(rightTag, rightKeyed)
          .apply("Group both sides by key", CoGroupByKey.create());
      joined = grouped.apply("Match rows", ParDo.of(new DoFn<KV<String, CoGbkResult>, Feature>() {
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
    }
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

  /** A right row with its key appended as its last value. */
  static final class WithKey extends SimpleFunction<KV<String, Feature>, Feature> {
    private static final long serialVersionUID = 1L;

    @Override
    public Feature apply(KV<String, Feature> kv) {
      Feature f = kv.getValue();
      Object[] v = new Object[f.valueCount() + 1];
      for (int i = 0; i < f.valueCount(); i++) {
        v[i] = f.value(i);
      }
      v[f.valueCount()] = kv.getKey();
      return f.withValues(v);
    }
  }

  /** One key's rows from the run files: right rows (input 0) first, then the left rows, each in data order. */
  static void match(String key, Iterator<GroupInRuns.Member> rows, GroupInRuns.Emit out, Kind k, Duplicates dup,
      String label, String rightName, int added) {
    Feature match = null;
    int count = 0;
    GroupInRuns.Member m = null;
    while (rows.hasNext()) {
      m = rows.next();
      if (m.input() != 0) {
        break;
      }
      count++;
      if (match == null || dup == Duplicates.LAST) {
        match = m.row();
      }
      m = null;
    }
    boolean semi = k == Kind.SEMI || k == Kind.ANTI;
    if (count > 1 && dup == Duplicates.ERROR && !semi && m != null) {
      throw new org.d4c.transforms.steps.StepException(label + ": the key " + key + " occurs " + count + " times in '"
          + rightName + "': a join adds one row's fields; fix the source or set duplicates: first or last");
    }
    for (; m != null; m = rows.hasNext() ? rows.next() : null) {
      Feature l = m.row();
      switch (k) {
        case SEMI -> {
          if (match != null) out.row(l);
        }
        case ANTI -> {
          if (match == null) out.row(l);
        }
        case INNER, LEFT -> {
          if (match != null || k == Kind.LEFT) out.row(extend(l, match, added));
        }
      }
    }
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
