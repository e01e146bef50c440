package org.d4c.transforms.sort;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.d4c.transforms.feature.Feature;

/**
 * Brings all rows of one output into a single stream ordered by a key the caller computes from each row (for tables:
 * the order-by columns, then source and row id), through the same sorted runs as {@link SortByHilbert}: each worker
 * sorts up to a memory budget into run files; the output is each output's run files, and the step that writes the
 * rows merges them itself ({@link #merged}). Memory does not grow with the number of rows: no runner ever holds the
 * sorted rows as one element (Flink copies an element between chained steps through its coder, which for one
 * {@code Iterable} of every row would hold them all).
 */
public final class SortByKey extends PTransform<PCollection<Feature>, PCollection<KV<String, Iterable<String>>>> {
  private static final long serialVersionUID = 1L;
  private final String output;
  private final SerializableFunction<Feature, byte[]> key;
  private final int memoryMb;
  private final String runFolder;

  private SortByKey(String output, SerializableFunction<Feature, byte[]> key, int memoryMb, String runFolder) {
    this.output = output;
    this.key = key;
    this.memoryMb = memoryMb;
    this.runFolder = runFolder;
  }

  /** Sorts by {@code key} (unsigned byte order; ties by encoded row) through runs in {@code runFolder}. */
  public static SortByKey of(String output, SerializableFunction<Feature, byte[]> key, int memoryMb, String runFolder) {
    return new SortByKey(output, key, memoryMb, runFolder);
  }

  @Override
  public PCollection<KV<String, Iterable<String>>> expand(PCollection<Feature> input) {
    return input
        .apply("Write sorted runs", ParDo.of(new SortedRuns.WriteRunsFn(output, runFolder, (long) memoryMb << 20, key)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("Gather runs", GroupByKey.create());
  }

  /** The rows of the given run files as one stream in sort order, each with its key; read once, lazily. */
  public static Iterable<KV<byte[], Feature>> merged(Iterable<String> runs) {
    List<String> files = new ArrayList<>();
    runs.forEach(files::add);
    return () -> new Iterator<KV<byte[], Feature>>() {
      private final Iterator<byte[][]> merged = SortedRuns.merge(files);

      @Override
      public boolean hasNext() {
        return merged.hasNext();
      }

      @Override
      public KV<byte[], Feature> next() {
        byte[][] r = merged.next();
        return KV.of(r[0], SortByHilbert.decode(r[1]));
      }
    };
  }
}
