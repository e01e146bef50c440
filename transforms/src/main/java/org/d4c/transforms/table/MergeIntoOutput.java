package org.d4c.transforms.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.progress.LocalProgress;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.rejects.RejectCoder;
import org.d4c.transforms.sort.GroupInRuns;
import org.d4c.transforms.sort.SortByHilbert;
import org.d4c.transforms.sort.SortByKey;
import org.d4c.transforms.sort.SortedRuns;
import org.d4c.transforms.steps.StepOutputs;

/**
 * The last key step of a table output (pivot, distinct) and the start of writing it, in one step per bucket: merges
 * the step's runs ({@link GroupInRuns#mergeBucket}) and puts every row the step makes straight into the output's
 * sorted runs (as {@link SortByKey} writes them) and column statistics (as {@link WriteTable#shapeOf} gathers them),
 * instead of handing the rows to the runner. The Direct runner keeps every row one element makes until the element
 * is done — here a bucket's wide pivot rows, a share of the whole table — so memory grew with the output; now it is
 * bounded by the run buffers. Same rows, same order, same bytes as the step followed by the sort and the statistics.
 *
 * <p>Input: the step's runs, as {@link GroupInRuns#writeRuns} or a reader writing into them emit. Outputs:
 * {@link #SORTED_RUNS} (output name, run file) for {@link WriteTable} after a group-by-key, {@link #STATS} for
 * {@link WriteTable#shapeFrom}, and the step's rejects.
 */
public final class MergeIntoOutput extends PTransform<PCollection<KV<Integer, String>>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  public static final TupleTag<KV<String, String>> SORTED_RUNS = new TupleTag<>() {};
  public static final TupleTag<ColumnStats> STATS = new TupleTag<>() {};

  private final GroupInRuns.GroupFn fn;
  private final String output;
  private final SerializableFunction<Feature, byte[]> key;
  private final String runFolder;
  private final int memoryMb;
  private final TableSchema schema;
  private final List<String> counters;

  private MergeIntoOutput(GroupInRuns.GroupFn fn, String output, SerializableFunction<Feature, byte[]> key,
      String runFolder, int memoryMb, TableSchema schema, List<String> counters) {
    this.fn = fn;
    this.output = output;
    this.key = key;
    this.runFolder = runFolder;
    this.memoryMb = memoryMb;
    this.schema = schema;
    this.counters = counters;
  }

  /**
   * @param step the key step whose runs come in
   * @param output the output's name (its sorted runs' sub-folder, as {@link SortByKey#of} names it)
   * @param key the output's order, as given to {@link SortByKey#of}
   * @param schema the step's output columns
   * @param counters the step metrics ({@link StepOutputs#METRICS_NAMESPACE}) that count every row the step makes,
   *     e.g. its own {@code LABEL out} and the {@code LABEL in} of settling steps after it
   */
  public static MergeIntoOutput of(GroupInRuns step, String output, SerializableFunction<Feature, byte[]> key,
      String runFolder, int memoryMb, TableSchema schema, List<String> counters) {
    return new MergeIntoOutput(step.function(), output, key, runFolder, memoryMb, schema, List.copyOf(counters));
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<Integer, String>> runs) {
    PCollectionTuple out = GroupInRuns.gatherByBucket(PCollectionList.of(runs))
        .apply("Merge, group and sort", ParDo.of(new MergeFn(this))
            .withOutputTags(SORTED_RUNS, TupleTagList.of(STATS).and(StepOutputs.REJECTS)));
    out.get(SORTED_RUNS).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    out.get(STATS).setCoder(SerializableCoder.of(ColumnStats.class));
    out.get(StepOutputs.REJECTS).setCoder(RejectCoder.of());
    return out;
  }

  static final class MergeFn extends DoFn<KV<Integer, Iterable<String>>, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final GroupInRuns.GroupFn fn;
    private final String output;
    private final SerializableFunction<Feature, byte[]> key;
    private final String runFolder;
    private final long maxBytes;
    private final TableSchema schema;
    private final List<String> names;
    private final List<Counter> counters = new ArrayList<>();
    private transient List<AtomicLong> live;
    private transient SortedRuns.RunBuffer buffer;
    private transient ColumnStats stats;

    MergeFn(MergeIntoOutput t) {
      this.fn = t.fn;
      this.output = t.output;
      this.key = t.key;
      this.runFolder = t.runFolder;
      this.maxBytes = (long) t.memoryMb << 20;
      this.schema = t.schema;
      this.names = t.counters;
      for (String n : names) {
        counters.add(Metrics.counter(StepOutputs.METRICS_NAMESPACE, n));
      }
    }

    @Setup
    public void setup() {
      live = new ArrayList<>();
      for (String n : names) {
        live.add(LocalProgress.step(n)); // the progress display's counts in this JVM
      }
    }

    @StartBundle
    public void start() {
      buffer = new SortedRuns.RunBuffer(Paths.get(runFolder, output), maxBytes);
      stats = null;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<String>> bucket, MultiOutputReceiver out) {
      GroupInRuns.mergeBucket(fn, bucket.getValue(), new GroupInRuns.Emit() {
        @Override
        public void row(Feature f) {
          for (int i = 0; i < counters.size(); i++) {
            counters.get(i).inc();
            live.get(i).incrementAndGet();
          }
          if (stats == null) {
            stats = new ColumnStats(schema);
          }
          stats.add(f);
          try {
            buffer.add(key.apply(f), SortByHilbert.encode(f));
          } catch (IOException e) {
            throw new UncheckedIOException("writing a sorted run of output '" + output + "' failed", e);
          }
        }

        @Override
        public void reject(Reject r) {
          out.get(StepOutputs.REJECTS).output(r);
        }
      });
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      // Only runs of a bundle that finished are passed on: files of a failed, retried bundle are never read.
      for (String run : buffer.finish()) {
        c.output(SORTED_RUNS, KV.of(output, run), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
      if (stats != null) {
        c.output(STATS, stats, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }
  }
}
