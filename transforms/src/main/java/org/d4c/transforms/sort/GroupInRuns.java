package org.d4c.transforms.sort;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
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
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.rejects.RejectCoder;
import org.d4c.transforms.steps.StepOutputs;

/**
 * Groups rows by a key through sorted run files instead of the runner's group-by-key, for the key-based steps (join,
 * semi and anti join, distinct, pivot, dissolve): each worker hashes every row's key to one of {@value #BUCKETS}
 * buckets and buffers (bucket, key, input, data order) records in a {@link SortedRuns.RunBuffer} (all buffers of a JVM
 * share a quarter of the heap at most), writing one sorted run per bucket when full; then each bucket's runs are
 * merged in one streaming pass and every key's rows are handed to a {@link GroupFn} in order: rows of input 0 first,
 * then input 1, and within an input in data order (source, then row id). Memory does not grow with the number of rows
 * or keys (one key's group at a time, and only if the function holds it), and the runner shuffles only run file
 * names: on the Direct runner that is {@value #BUCKETS} bundles instead of one per key.
 *
 * <p>The order in which groups are handed over and the bucket count never change what a step outputs, since every
 * output is sorted again before it is written. The run folder must be reachable by every worker.
 */
public final class GroupInRuns extends PTransform<PCollectionList<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  /** Buckets merged in parallel; a power of two. */
  public static final int BUCKETS = 16;

  /** One row of a group, with the index of the input it came from. */
  public record Member(int input, Feature row) {}

  /** Where a group function sends its rows and rejects. */
  public interface Emit {
    void row(Feature f);

    void reject(Reject r);
  }

  /** Turns one key's rows into output rows. */
  public interface GroupFn extends Serializable {
    /**
     * @param key the group key as the key functions computed it
     * @param rows the key's rows, input 0 first, each input in data order; may be left unread
     */
    void group(byte[] key, Iterator<Member> rows, Emit out);
  }

  /** Looks at a row before it is grouped: null keeps it, a reject drops it (e.g. a null key). */
  public interface RowCheck extends Serializable {
    Reject check(Feature f);
  }

  /** The run files of one input, as (bucket, path), from {@link RunWriter}s. */
  public static final TupleTag<KV<Integer, String>> RUNS = new TupleTag<>() {};

  private final String name;
  private final List<SerializableFunction<Feature, byte[]>> keys;
  private final GroupFn fn;
  private final String runFolder;
  private final int memoryMb;
  private final RowCheck check;

  private GroupInRuns(String name, List<SerializableFunction<Feature, byte[]>> keys, GroupFn fn, String runFolder,
      int memoryMb, RowCheck check) {
    this.name = name;
    this.keys = keys;
    this.fn = fn;
    this.runFolder = runFolder;
    this.memoryMb = memoryMb;
    this.check = check;
  }

  /**
   * @param name names the step's run folder (inside {@code runFolder}); unique within a pipeline
   * @param keys one key function per input collection; a key must not be null
   * @param memoryMb what one worker's buffer may hold before writing runs (the JVM-wide quarter of heap still applies)
   */
  public static GroupInRuns of(String name, List<SerializableFunction<Feature, byte[]>> keys, GroupFn fn,
      String runFolder, int memoryMb) {
    return new GroupInRuns(name.replaceAll("[^A-Za-z0-9_.-]+", "_"), List.copyOf(keys), fn, runFolder, memoryMb, null);
  }

  /** Checks every row of every input before it is written to a run; a rejected row is in no group. */
  public GroupInRuns checking(RowCheck check) {
    return new GroupInRuns(name, keys, fn, runFolder, memoryMb, check);
  }

  /**
   * What writes input {@code input}'s rows into this step's runs, for a reader that writes them itself (so the
   * runner never holds the rows between reading and grouping); its runs go to {@link #mergeRuns}.
   */
  public RunWriter writer(int input) {
    return new RunWriter(input, keys.get(input), check, Paths.get(runFolder, name).toString(), (long) memoryMb << 20);
  }

  @Override
  public PCollectionTuple expand(PCollectionList<Feature> inputs) {
    PCollectionTuple written = writeRuns(inputs);
    PCollectionTuple merged = mergeRuns(PCollectionList.of(written.get(RUNS)));
    if (check == null) return merged;
    return PCollectionTuple.of(StepOutputs.ROWS, merged.get(StepOutputs.ROWS)).and(StepOutputs.REJECTS,
        PCollectionList.of(written.get(StepOutputs.REJECTS)).and(merged.get(StepOutputs.REJECTS))
            .apply("Rejects of " + name, Flatten.pCollections()));
  }

  /**
   * Writes every input's rows into this step's runs: the run files ({@link #RUNS}, for {@link #mergeRuns} or a
   * caller that merges them itself with {@link #mergeBucket}) and the rows the check rejected.
   */
  public PCollectionTuple writeRuns(PCollectionList<Feature> inputs) {
    if (inputs.size() != keys.size()) {
      throw new IllegalArgumentException(inputs.size() + " inputs but " + keys.size() + " key functions");
    }
    PCollectionList<KV<Integer, String>> runs = PCollectionList.empty(inputs.getPipeline());
    PCollectionList<Reject> rejects = PCollectionList.empty(inputs.getPipeline());
    for (int i = 0; i < inputs.size(); i++) {
      PCollectionTuple written = inputs.get(i).apply("Write runs of input " + i,
          ParDo.of(new WriteFn(writer(i))).withOutputTags(RUNS, TupleTagList.of(StepOutputs.REJECTS)));
      runs = runs.and(written.get(RUNS).setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())));
      rejects = rejects.and(written.get(StepOutputs.REJECTS).setCoder(RejectCoder.of()));
    }
    return PCollectionTuple.of(RUNS, runs.apply("All runs of " + name, Flatten.pCollections()))
        .and(StepOutputs.REJECTS, rejects.apply("Check rejects of " + name, Flatten.pCollections()));
  }

  /** Merges the runs of every input (in input order, from {@link #writer}) and hands each key's rows over. */
  public PCollectionTuple mergeRuns(PCollectionList<KV<Integer, String>> runs) {
    return StepOutputs.coded(gatherRuns(runs, false)
        .apply("Merge and group", ParDo.of(new MergeFn(fn))
            .withOutputTags(StepOutputs.ROWS, TupleTagList.of(StepOutputs.REJECTS))));
  }

  /** What the step does with each key's rows. */
  public GroupFn function() {
    return fn;
  }

  /**
   * The runs as (bucket, file) pairs gathered for merging: one element per bucket, or with {@code oneElement} every
   * bucket in one element, for a step that merges the buckets on threads of its own (the Direct runner works one
   * element at a time on a machine of few cores).
   */
  public static PCollection<KV<Integer, Iterable<KV<Integer, String>>>> gatherRuns(
      PCollectionList<KV<Integer, String>> runs, boolean oneElement) {
    return runs.apply("All runs", Flatten.pCollections())
        .apply(oneElement ? "Key runs as one" : "Key runs by bucket", org.apache.beam.sdk.transforms.MapElements
            .into(org.apache.beam.sdk.values.TypeDescriptors.kvs(org.apache.beam.sdk.values.TypeDescriptors.integers(),
                org.apache.beam.sdk.values.TypeDescriptors.kvs(org.apache.beam.sdk.values.TypeDescriptors.integers(),
                    org.apache.beam.sdk.values.TypeDescriptors.strings())))
            .via(run -> KV.of(oneElement ? 0 : run.getKey(), run)))
        .setCoder(KvCoder.of(VarIntCoder.of(), KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())))
        .apply("Gather runs", GroupByKey.create());
  }

  /**
   * Merges one bucket's run files and hands every key's rows to the step's function, in key order; what it outputs
   * goes to {@code emit} as it comes, so a caller that consumes rows there (instead of handing them to the runner)
   * holds one key's rows at a time. {@code fn} is the step's {@link #function()}.
   */
  public static void mergeBucket(GroupFn fn, Iterable<String> runFiles, Emit emit) {
    List<String> files = new ArrayList<>();
    runFiles.forEach(files::add);
    Groups groups = new Groups(SortedRuns.merge(files));
    while (groups.nextGroup()) {
      fn.group(groups.key(), groups, emit);
    }
  }

  /** The sort key of a row: bucket, key length, key, input, then data order. */
  static byte[] sortKey(byte[] key, int input, Feature f) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 + key.length + 1 + 4 + 8);
    b.putInt(Arrays.hashCode(key) & (BUCKETS - 1));
    b.putInt(key.length);
    b.put(key);
    b.put((byte) input);
    b.putInt(f.source() ^ Integer.MIN_VALUE);
    b.putLong(f.fid() ^ Long.MIN_VALUE);
    return b.array();
  }

  /**
   * Writes one input's rows into bucketed sorted runs: {@link #start} per bundle, {@link #add} per row,
   * {@link #finish} at the end of the bundle gives the runs written.
   */
  public static final class RunWriter implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int input;
    private final SerializableFunction<Feature, byte[]> key;
    private final RowCheck check;
    private final String folder;
    private final long maxBytes;
    private transient SortedRuns.RunBuffer buffer;

    RunWriter(int input, SerializableFunction<Feature, byte[]> key, RowCheck check, String folder, long maxBytes) {
      this.input = input;
      this.key = key;
      this.check = check;
      this.folder = folder;
      this.maxBytes = maxBytes;
    }

    public void start() {
      buffer = new SortedRuns.RunBuffer(Paths.get(folder), maxBytes, true);
    }

    /** Buffers a row for its run; returns the check's reject instead when it has one. */
    public Reject add(Feature f) throws IOException {
      Reject r = check == null ? null : check.check(f);
      if (r == null) {
        buffer.add(sortKey(key.apply(f), input, f), SortByHilbert.encode(f));
      }
      return r;
    }

    /** Writes what is buffered; only runs of a bundle that finished are passed on (a retried bundle's are never read). */
    public List<KV<Integer, String>> finish() throws IOException {
      return buffer.finishBuckets();
    }
  }

  static final class WriteFn extends DoFn<Feature, KV<Integer, String>> {
    private static final long serialVersionUID = 1L;
    private final RunWriter writer;

    WriteFn(RunWriter writer) {
      this.writer = writer;
    }

    @StartBundle
    public void start() {
      writer.start();
    }

    @ProcessElement
    public void process(@Element Feature f, MultiOutputReceiver out) throws IOException {
      Reject r = writer.add(f);
      if (r != null) out.get(StepOutputs.REJECTS).output(r);
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      for (KV<Integer, String> run : writer.finish()) {
        c.output(RUNS, run, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }
  }

  static final class MergeFn extends DoFn<KV<Integer, Iterable<KV<Integer, String>>>, Feature> {
    private static final long serialVersionUID = 1L;
    private final GroupFn fn;

    MergeFn(GroupFn fn) {
      this.fn = fn;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<KV<Integer, String>>> bucket, MultiOutputReceiver out) {
      List<String> files = new ArrayList<>();
      bucket.getValue().forEach(run -> files.add(run.getValue()));
      mergeBucket(fn, files, new Emit() {
        @Override
        public void row(Feature f) {
          out.get(StepOutputs.ROWS).output(f);
        }

        @Override
        public void reject(Reject r) {
          out.get(StepOutputs.REJECTS).output(r);
        }
      });
    }
  }

  /** Walks a merged stream one key at a time; as an iterator, the current key's rows. */
  static final class Groups implements Iterator<Member> {
    private final Iterator<byte[][]> merged;
    private byte[][] pending;
    private byte[] current;

    Groups(Iterator<byte[][]> merged) {
      this.merged = merged;
    }

    /** Skips what is left of the current group; false when no group is left. */
    boolean nextGroup() {
      while (hasNext()) {
        next();
      }
      if (pending == null && merged.hasNext()) {
        pending = merged.next();
      }
      if (pending == null) {
        return false;
      }
      current = groupOf(pending[0]);
      return true;
    }

    byte[] key() {
      return Arrays.copyOfRange(current, 8, current.length);
    }

    private static byte[] groupOf(byte[] sortKey) {
      int length = ByteBuffer.wrap(sortKey, 4, 4).getInt();
      return Arrays.copyOfRange(sortKey, 0, 8 + length);
    }

    private boolean inGroup(byte[] sortKey) {
      return current != null && sortKey.length >= current.length
          && Arrays.equals(sortKey, 0, current.length, current, 0, current.length)
          && ByteBuffer.wrap(sortKey, 4, 4).getInt() == current.length - 8;
    }

    @Override
    public boolean hasNext() {
      if (pending == null && merged.hasNext()) {
        pending = merged.next();
      }
      return pending != null && inGroup(pending[0]);
    }

    @Override
    public Member next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      byte[][] r = pending;
      pending = null;
      return new Member(r[0][current.length], SortByHilbert.decode(r[1]));
    }
  }
}
