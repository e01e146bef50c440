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
  private final int threads;

  private MergeIntoOutput(GroupInRuns.GroupFn fn, String output, SerializableFunction<Feature, byte[]> key,
      String runFolder, int memoryMb, TableSchema schema, List<String> counters, int threads) {
    this.fn = fn;
    this.output = output;
    this.key = key;
    this.runFolder = runFolder;
    this.memoryMb = memoryMb;
    this.schema = schema;
    this.counters = counters;
    this.threads = threads;
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
    return new MergeIntoOutput(step.function(), output, key, runFolder, memoryMb, schema, List.copyOf(counters), 1);
  }

  /**
   * Merges the buckets on {@code threads} threads of this step's own, all in one element: for the Direct runner, which
   * on a machine of few cores runs one worker (an idle worker polls without pause) and so one bucket at a time. Runs,
   * statistics and rejects are the same as with one thread; 1 (the default) leaves the buckets to the runner.
   */
  public MergeIntoOutput onThreads(int threads) {
    return new MergeIntoOutput(fn, output, key, runFolder, memoryMb, schema, counters, Math.max(1, threads));
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<Integer, String>> runs) {
    PCollectionTuple out = GroupInRuns.gatherRuns(PCollectionList.of(runs), threads > 1)
        .apply("Merge, group and sort", ParDo.of(new MergeFn(this))
            .withOutputTags(SORTED_RUNS, TupleTagList.of(STATS).and(StepOutputs.REJECTS)));
    out.get(SORTED_RUNS).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    out.get(STATS).setCoder(SerializableCoder.of(ColumnStats.class));
    out.get(StepOutputs.REJECTS).setCoder(RejectCoder.of());
    return out;
  }

  /** What merging one bucket gave: its sorted runs, the statistics of its rows, their count, its rejects. */
  private record Part(List<String> runs, ColumnStats stats, long rows, List<Reject> rejects) {}

  static final class MergeFn extends DoFn<KV<Integer, Iterable<KV<Integer, String>>>, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final GroupInRuns.GroupFn fn;
    private final String output;
    private final SerializableFunction<Feature, byte[]> key;
    private final String runFolder;
    private final long maxBytes;
    private final TableSchema schema;
    private final List<String> names;
    private final int threads;
    private final List<Counter> counters = new ArrayList<>();
    private transient List<AtomicLong> live;

    MergeFn(MergeIntoOutput t) {
      this.fn = t.fn;
      this.output = t.output;
      this.key = t.key;
      this.runFolder = t.runFolder;
      this.maxBytes = (long) t.memoryMb << 20;
      this.schema = t.schema;
      this.names = t.counters;
      this.threads = t.threads;
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

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<Integer, String>>> runs, MultiOutputReceiver out)
        throws Exception {
      java.util.TreeMap<Integer, List<String>> buckets = new java.util.TreeMap<>();
      for (KV<Integer, String> run : runs.getValue()) {
        buckets.computeIfAbsent(run.getKey(), b -> new ArrayList<>()).add(run.getValue());
      }
      List<Part> parts = new ArrayList<>();
      if (threads <= 1 || buckets.size() <= 1) {
        for (List<String> files : buckets.values()) {
          parts.add(merge(files));
        }
      } else {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
            Math.min(threads, buckets.size()), r -> {
              Thread t = new Thread(r, "d4c-merge-" + output);
              t.setDaemon(true);
              return t;
            });
        try {
          List<java.util.concurrent.Future<Part>> running = new ArrayList<>();
          for (List<String> files : buckets.values()) {
            running.add(pool.submit(() -> merge(files)));
          }
          for (java.util.concurrent.Future<Part> f : running) {
            try {
              parts.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
              throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
            }
          }
        } finally {
          pool.shutdownNow();
        }
      }
      // Beam's counters and outputs on the runner's own thread.
      for (Part p : parts) {
        for (String run : p.runs()) {
          out.get(SORTED_RUNS).output(KV.of(output, run));
        }
        if (p.stats() != null) {
          out.get(STATS).output(p.stats());
        }
        for (Reject r : p.rejects()) {
          out.get(StepOutputs.REJECTS).output(r);
        }
        for (Counter c : counters) {
          c.inc(p.rows());
        }
      }
    }

    /** Merges one bucket's runs and writes the rows the step makes into sorted runs of the output. */
    private Part merge(List<String> files) throws IOException {
      SortedRuns.RunBuffer buffer = new SortedRuns.RunBuffer(Paths.get(runFolder, output), maxBytes);
      ColumnStats[] stats = new ColumnStats[1];
      long[] rows = new long[1];
      List<Reject> rejects = new ArrayList<>();
      GroupInRuns.mergeBucket(fn, files, new GroupInRuns.Emit() {
        @Override
        public void row(Feature f) {
          rows[0]++;
          for (AtomicLong l : live) {
            l.incrementAndGet();
          }
          if (stats[0] == null) {
            stats[0] = new ColumnStats(schema);
          }
          stats[0].add(f);
          try {
            buffer.add(key.apply(f), SortByHilbert.encode(f));
          } catch (IOException e) {
            throw new UncheckedIOException("writing a sorted run of output '" + output + "' failed", e);
          }
        }

        @Override
        public void reject(Reject r) {
          rejects.add(r);
        }
      });
      return new Part(buffer.finish(), stats[0], rows[0], rejects);
    }
  }
}
