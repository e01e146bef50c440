package org.d4c.transforms.sort;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;

/**
 * Brings all rows of one output into a single stream ordered by a key the caller computes from each row (for tables:
 * the order-by columns, then source and row id), through the same sorted runs as {@link SortByHilbert}: each worker
 * sorts up to a memory budget into run files, one reader merges them. Memory does not grow with the number of rows.
 */
public final class SortByKey
    extends PTransform<PCollection<Feature>, PCollection<KV<String, Iterable<KV<byte[], Feature>>>>> {
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
  public PCollection<KV<String, Iterable<KV<byte[], Feature>>>> expand(PCollection<Feature> input) {
    return input
        .apply("Write sorted runs", ParDo.of(new SortedRuns.WriteRunsFn(output, runFolder, (long) memoryMb << 20, key)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("Gather runs", GroupByKey.create())
        .apply("Merge sorted runs", ParDo.of(new DoFn<KV<String, Iterable<String>>,
            KV<String, Iterable<KV<byte[], Feature>>>>() {
          @ProcessElement
          public void process(@Element KV<String, Iterable<String>> runs,
              OutputReceiver<KV<String, Iterable<KV<byte[], Feature>>>> out) {
            List<String> files = new ArrayList<>();
            runs.getValue().forEach(files::add);
            out.output(KV.of(runs.getKey(), () -> new Iterator<KV<byte[], Feature>>() {
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
            }));
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(KvCoder.of(ByteArrayCoder.of(), FeatureCoder.of()))));
  }
}
