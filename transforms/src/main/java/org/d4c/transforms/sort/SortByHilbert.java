package org.d4c.transforms.sort;

import java.nio.ByteBuffer;
import java.util.Iterator;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.sorter.BufferedExternalSorter;
import org.apache.beam.sdk.extensions.sorter.ExternalSorter;
import org.apache.beam.sdk.extensions.sorter.SortValues;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;

/**
 * Brings all features of one output into a single stream ordered by (Hilbert key, source, FID). Beam promises no
 * element order, so this order, which comes from the data alone, is what makes the output bytes the same on every
 * runner and at every parallelism. The sort spills to disk past {@code memoryMb}.
 */
public final class SortByHilbert
    extends PTransform<PCollection<Feature>, PCollection<KV<String, Iterable<KV<byte[], Feature>>>>> {
  private static final long serialVersionUID = 1L;
  private final String output;
  private final int memoryMb;
  private final String runFolder;

  private SortByHilbert(String output, int memoryMb, String runFolder) {
    this.output = output;
    this.memoryMb = memoryMb;
    this.runFolder = runFolder;
  }

  /**
   * Sorts the features of the output named {@code output} with the runner's group-by-key and Beam's external sorter,
   * using up to {@code memoryMb} in memory before spilling.
   */
  public static SortByHilbert of(String output, int memoryMb) {
    return new SortByHilbert(output, memoryMb, null);
  }

  /**
   * Sorts through sorted runs written to {@code folder} (each worker sorts up to {@code memoryMb} at a time, one
   * reader merges): no group-by-key of the features at all, the fast path on the Direct runner. The folder must be
   * reachable by every worker.
   */
  public SortByHilbert withRunsIn(String folder) {
    return new SortByHilbert(output, memoryMb, folder);
  }

  @Override
  public PCollection<KV<String, Iterable<KV<byte[], Feature>>>> expand(PCollection<Feature> input) {
    return runFolder == null ? sortByGrouping(input) : sortInRuns(input);
  }

  private PCollection<KV<String, Iterable<KV<byte[], Feature>>>> sortInRuns(PCollection<Feature> input) {
    return input
        .apply("Write sorted runs",
            ParDo.of(new SortedRuns.WriteRunsFn(output, runFolder, (long) memoryMb << 20)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("Gather runs", GroupByKey.create())
        .apply("Merge sorted runs", ParDo.of(new DoFn<KV<String, Iterable<String>>,
            KV<String, Iterable<KV<byte[], Feature>>>>() {
          @ProcessElement
          public void process(@Element KV<String, Iterable<String>> runs,
              OutputReceiver<KV<String, Iterable<KV<byte[], Feature>>>> out) {
            out.output(KV.of(runs.getKey(), SortByKey.merged(runs.getValue())));
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(KvCoder.of(ByteArrayCoder.of(), FeatureCoder.of()))));
  }

  private PCollection<KV<String, Iterable<KV<byte[], Feature>>>> sortByGrouping(PCollection<Feature> input) {
    String name = output;
    return input
        // Encoded now, so that a runner holding the whole group in memory (the Direct runner does) holds compact
        // bytes, not geometry objects: several times less memory.
        .apply("Key by curve position", MapElements.via(new SimpleFunction<Feature, KV<String, KV<byte[], byte[]>>>() {
          @Override
          public KV<String, KV<byte[], byte[]>> apply(Feature f) {
            return KV.of(name, KV.of(sortKey(f), encode(f)));
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(ByteArrayCoder.of(), ByteArrayCoder.of())))
        .apply("Gather one output", GroupByKey.create())
        .apply("Sort by curve position", SortValues.create(BufferedExternalSorter.options()
            .withExternalSorterType(ExternalSorter.Options.SorterType.NATIVE)
            .withMemoryMB(memoryMb)))
        .apply("Decode features", ParDo.of(new DoFn<KV<String, Iterable<KV<byte[], byte[]>>>,
            KV<String, Iterable<KV<byte[], Feature>>>>() {
          @ProcessElement
          public void process(@Element KV<String, Iterable<KV<byte[], byte[]>>> group,
              OutputReceiver<KV<String, Iterable<KV<byte[], Feature>>>> out) {
            // Decoded one at a time as the writer iterates: the sorted group is never all in memory as objects.
            Iterable<KV<byte[], byte[]>> sorted = group.getValue();
            out.output(KV.of(group.getKey(), () -> new Iterator<KV<byte[], Feature>>() {
              private final Iterator<KV<byte[], byte[]>> it = sorted.iterator();

              @Override
              public boolean hasNext() {
                return it.hasNext();
              }

              @Override
              public KV<byte[], Feature> next() {
                KV<byte[], byte[]> kv = it.next();
                return KV.of(kv.getKey(), decode(kv.getValue()));
              }
            }));
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(KvCoder.of(ByteArrayCoder.of(), FeatureCoder.of()))));
  }

  public static byte[] encode(Feature f) {
    return FeatureCoder.toBytes(f);
  }

  public static Feature decode(byte[] bytes) {
    return FeatureCoder.fromBytes(bytes);
  }

  /** Unsigned big-endian bytes of (key, source, FID): byte order equals the intended order. */
  public static byte[] sortKey(Feature f) {
    return ByteBuffer.allocate(20)
        .putLong(f.sortKey())
        .putInt(f.source() ^ Integer.MIN_VALUE)
        .putLong(f.fid() ^ Long.MIN_VALUE)
        .array();
  }
}
