package org.d4c.transforms.steps;

import java.nio.charset.StandardCharsets;
import java.util.List;
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
import org.d4c.transforms.table.TableSchema;
import org.d4c.transforms.table.Values;

/**
 * Keeps one row per key: the first (or last) in data order — source, then member name and row position — so the
 * choice never depends on which worker saw which row. Rows whose key has a null are all kept (a null equals nothing).
 */
public final class Distinct extends PTransform<PCollection<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  private final int[] key;
  private final boolean keepLast;
  private final String runFolder;
  private final int memoryMb;
  private final String name;

  private Distinct(int[] key, boolean keepLast, String name, String runFolder, int memoryMb) {
    this.key = key;
    this.keepLast = keepLast;
    this.name = name;
    this.runFolder = runFolder;
    this.memoryMb = memoryMb;
  }

  /**
   * Groups through sorted run files in {@code folder} ({@link GroupInRuns}, its sub-folder named by {@code name})
   * instead of the runner's group-by-key: memory then does not grow with the rows. Same output.
   */
  public Distinct withRunsIn(String name, String folder, int memoryMb) {
    return new Distinct(key, keepLast, name, folder, memoryMb);
  }

  /**
   * @param key the key fields; empty means every field (whole duplicate rows)
   * @throws IllegalArgumentException naming a field the rows do not have
   */
  public static Distinct of(TableSchema schema, List<String> key, boolean keepLast) {
    int[] idx;
    if (key.isEmpty()) {
      idx = new int[schema.size()];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i;
      }
    } else {
      idx = schema.require(key);
    }
    return new Distinct(idx, keepLast, null, null, 0);
  }

  /** The group of a row: its key, or for a key with a null its own identity (kept whatever the others). */
  static String groupOf(Feature f, int[] k) {
    String kv = Values.key(f, k);
    return kv == null ? "\u0000" + f.source() + ":" + f.fid() : "=" + kv;
  }

  /** The grouping this step runs when it works in run files ({@link #withRunsIn}). */
  public GroupInRuns grouping() {
    if (runFolder == null) throw new IllegalStateException("distinct works in run files only with withRunsIn");
    int[] k = key;
    boolean last = keepLast;
    return GroupInRuns.of(name, List.of(f -> groupOf(f, k).getBytes(StandardCharsets.UTF_8)),
        (group, rows, emit) -> {
          // Rows come in data order: the first is kept, or the last.
          Feature pick = rows.next().row();
          while (last && rows.hasNext()) {
            pick = rows.next().row();
          }
          emit.row(pick);
        }, runFolder, memoryMb);
  }

  @Override
  public PCollectionTuple expand(PCollection<Feature> input) {
    int[] k = key;
    boolean last = keepLast;
    if (runFolder != null) {
      return PCollectionList.of(input).apply("Group rows by key", grouping());
    }
    PCollection<KV<String, Feature>> keyed = input.apply("Key rows", ParDo.of(new DoFn<Feature, KV<String, Feature>>() {
      @ProcessElement
      public void process(@Element Feature f, OutputReceiver<KV<String, Feature>> out) {
        out.output(KV.of(groupOf(f, k), f));
      }
    })).setCoder(KvCoder.of(StringUtf8Coder.of(), FeatureCoder.of()));
    return StepOutputs.coded(keyed.apply("Group equal keys", GroupByKey.create())
        .apply("Keep one per key", ParDo.of(new DoFn<KV<String, Iterable<Feature>>, Feature>() {
          @ProcessElement
          public void process(@Element KV<String, Iterable<Feature>> group, MultiOutputReceiver out) {
            Feature pick = null;
            for (Feature f : group.getValue()) {
              if (pick == null) {
                pick = f;
              } else {
                int c = Values.DATA_ORDER.compare(f, pick);
                if (last ? c > 0 : c < 0) {
                  pick = f;
                }
              }
            }
            out.get(StepOutputs.ROWS).output(pick);
          }
        }).withOutputTags(StepOutputs.ROWS, TupleTagList.of(StepOutputs.REJECTS))));
  }
}
