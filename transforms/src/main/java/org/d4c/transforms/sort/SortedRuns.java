package org.d4c.transforms.sort;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.UUID;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.d4c.transforms.feature.Feature;

/**
 * An external merge sort through files: each worker sorts what it holds (at most a memory budget) and writes it
 * as a sorted run; one reader then merges all runs of an output in a single streaming pass. It replaces a runner's
 * group-by-key of every feature, which on the Direct runner costs far more than the sort itself and keeps every
 * feature in memory. The run folder must be reachable by every worker (as the output folder is).
 *
 * <p>Records are (sort key, encoded feature); Hilbert sort keys are 20 bytes. Sort keys are unique per feature (key, source, FID); equal keys
 * (a source with repeated FIDs) fall back to the encoded bytes, so the merged order never depends on which worker
 * wrote which run.
 */
public final class SortedRuns {
  private static final java.lang.invoke.VarHandle LONG_BE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
  private static final java.lang.invoke.VarHandle INT_BE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /**
   * Unsigned lexicographic order of the keys, then of the values. Keys of 8 bytes or more (Hilbert keys start with
   * the curve index) are told apart by their first 8 bytes as one unsigned long in almost every comparison: the
   * same order as comparing byte by byte, at a fraction of the cost in the sort of a run.
   */
  static final Comparator<byte[][]> ORDER = (a, b) -> {
    byte[] x = a[0], y = b[0];
    if (x.length >= 8 && y.length >= 8) {
      int c = Long.compareUnsigned((long) LONG_BE.get(x, 0), (long) LONG_BE.get(y, 0));
      if (c != 0) return c;
    }
    int c = Arrays.compareUnsigned(x, y);
    return c != 0 ? c : Arrays.compareUnsigned(a[1], b[1]);
  };

  private SortedRuns() {}

  /** Buffers (key, feature) records of a bundle, sorts them and writes a run when full or at the end of a bundle. */
  static final class WriteRunsFn extends DoFn<Feature, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final String output;
    private final String folder;
    private final long maxBytes;
    private final org.apache.beam.sdk.transforms.SerializableFunction<Feature, byte[]> keyFn;
    private transient RunBuffer buffer;

    WriteRunsFn(String output, String folder, long maxBytes) {
      this(output, folder, maxBytes, SortByHilbert::sortKey);
    }

    WriteRunsFn(String output, String folder, long maxBytes,
        org.apache.beam.sdk.transforms.SerializableFunction<Feature, byte[]> keyFn) {
      this.output = output;
      this.folder = folder;
      this.maxBytes = maxBytes;
      this.keyFn = keyFn;
    }

    @StartBundle
    public void start() {
      buffer = new RunBuffer(Paths.get(folder, output), maxBytes);
    }

    @ProcessElement
    public void process(@Element Feature f) throws IOException {
      buffer.add(keyFn.apply(f), SortByHilbert.encode(f));
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      // Only runs of a bundle that finished are passed on: files of a failed, retried bundle are never read.
      for (String run : buffer.finish()) {
        c.output(KV.of(output, run), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }
  }

  /**
   * Sorts (key, value) records in memory and writes them as a sorted run whenever this buffer holds
   * {@code maxBytes}, or all buffers of the JVM together hold {@link #jvmBudget()}: however many workers a runner
   * starts, the records held in memory stay within a fixed share of the heap. Where runs are cut never changes the
   * merged order, so it never changes output bytes.
   */
  public static final class RunBuffer {
    private static final java.util.concurrent.atomic.AtomicLong HELD = new java.util.concurrent.atomic.AtomicLong();
    private final Path dir;
    private final long maxBytes;
    private final List<byte[][]> records = new ArrayList<>();
    private final List<String> written = new ArrayList<>();
    private final List<Integer> writtenBuckets = new ArrayList<>();
    private final boolean bucketed;
    private long bytes;

    public RunBuffer(Path dir, long maxBytes) {
      this(dir, maxBytes, false);
    }

    /**
     * @param bucketed when true every key starts with a 4-byte bucket number and each flush writes one run per bucket
     *     it holds (see {@link #finishBuckets()}), so that each bucket can be merged on its own
     */
    public RunBuffer(Path dir, long maxBytes, boolean bucketed) {
      this.dir = dir;
      this.maxBytes = Math.max(1 << 20, maxBytes);
      this.bucketed = bucketed;
    }

    /** What all buffers of this JVM may hold together: a quarter of the maximum heap. */
    public static long jvmBudget() {
      return Runtime.getRuntime().maxMemory() / 4;
    }

    public void add(byte[] key, byte[] value) throws IOException {
      records.add(new byte[][] {key, value});
      // Two arrays, their headers and the list slot.
      long size = key.length + value.length + 64;
      bytes += size;
      if (bytes >= maxBytes || HELD.addAndGet(size) >= jvmBudget()) {
        flush();
      }
    }

    /** Writes what is left and returns every run written, as paths. */
    public List<String> finish() throws IOException {
      if (!records.isEmpty()) {
        flush();
      }
      List<String> runs = List.copyOf(written);
      written.clear();
      writtenBuckets.clear();
      return runs;
    }

    /** Like {@link #finish()} for a bucketed buffer: every run written, as (bucket, path). */
    public List<KV<Integer, String>> finishBuckets() throws IOException {
      if (!records.isEmpty()) {
        flush();
      }
      List<KV<Integer, String>> runs = new ArrayList<>();
      for (int i = 0; i < written.size(); i++) {
        runs.add(KV.of(writtenBuckets.get(i), written.get(i)));
      }
      written.clear();
      writtenBuckets.clear();
      return runs;
    }

    /** Forgets what is buffered (after a failure), giving its share of the budget back. */
    public void discard() {
      HELD.addAndGet(-bytes);
      records.clear();
      bytes = 0;
    }

    private void flush() throws IOException {
      try {
        if (!bucketed) {
          written.add(writeRun(dir, records));
          return;
        }
        sort(records);
        int from = 0;
        while (from < records.size()) {
          int bucket = bucketOf(records.get(from)[0]);
          int to = from + 1;
          while (to < records.size() && bucketOf(records.get(to)[0]) == bucket) {
            to++;
          }
          written.add(writeSorted(dir, records.subList(from, to)));
          writtenBuckets.add(bucket);
          from = to;
        }
      } finally {
        discard();
      }
    }
  }

  /** Sorts {@code records} in place and writes them as one run file in {@code dir}; returns its path. */
  static String writeRun(Path dir, List<byte[][]> records) throws IOException {
    sort(records);
    return writeSorted(dir, records);
  }

  /**
   * Sorts records into {@link #ORDER}. Keys of 8 bytes or more (Hilbert keys) are sorted as primitive longs: the key's
   * first 8 bytes, shifted right to make room, with the record's index in the low bits, through
   * {@link Arrays#sort(long[])} instead of a comparator over arrays (the sort was 17 % of a reading worker's profile;
   * the build's wall time did not measurably change, docs/benchmarks.md); records whose kept key bits are equal are
   * then put in order by {@link #ORDER}.
   */
  static void sort(List<byte[][]> records) {
    int n = records.size();
    for (byte[][] r : records) {
      if (r[0].length < 8) {
        records.sort(ORDER);
        return;
      }
    }
    if (n < 2) return;
    int bits = 64 - Long.numberOfLeadingZeros(n - 1); // bits to hold an index
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) {
      long key = (long) LONG_BE.get(records.get(i)[0], 0);
      // The top 63 - bits bits of the unsigned key, then the index: a non-negative long whose order is the key's.
      packed[i] = (key >>> (bits + 1)) << bits | i;
    }
    Arrays.sort(packed);
    long mask = (1L << bits) - 1;
    byte[][][] sorted = new byte[n][][];
    for (int i = 0; i < n; i++) sorted[i] = records.get((int) (packed[i] & mask));
    // Records sharing their kept key bits are in index order so far: sort each such stretch by the full order.
    int from = 0;
    for (int i = 1; i <= n; i++) {
      if (i == n || packed[i] >>> bits != packed[from] >>> bits) {
        if (i - from > 1) Arrays.sort(sorted, from, i, ORDER);
        from = i;
      }
    }
    for (int i = 0; i < n; i++) records.set(i, sorted[i]);
  }

  static int bucketOf(byte[] key) {
    return ((key[0] & 0xff) << 24) | ((key[1] & 0xff) << 16) | ((key[2] & 0xff) << 8) | (key[3] & 0xff);
  }

  private static String writeSorted(Path dir, List<byte[][]> records) throws IOException {
    Files.createDirectories(dir);
    Path run = dir.resolve(UUID.randomUUID() + ".run");
    // Lengths and bytes go into one array written in 1 MiB blocks (DataOutputStream.writeInt makes four synchronized
    // calls per int: 6 % of the reading worker's profile samples in a build).
    try (java.io.OutputStream out = Files.newOutputStream(run)) {
      byte[] block = new byte[1 << 20];
      int n = 0;
      for (byte[][] r : records) {
        for (byte[] part : r) {
          if (n + 4 > block.length) {
            out.write(block, 0, n);
            n = 0;
          }
          INT_BE.set(block, n, part.length);
          n += 4;
          int from = 0;
          while (from < part.length) {
            if (n == block.length) {
              out.write(block, 0, n);
              n = 0;
            }
            int len = Math.min(part.length - from, block.length - n);
            System.arraycopy(part, from, block, n, len);
            n += len;
            from += len;
          }
        }
      }
      out.write(block, 0, n);
    }
    return run.toString();
  }

  /** The records of several runs as one stream in sort order, reading each run once. */
  public static Iterator<byte[][]> merge(List<String> runs) {
    List<DataInputStream> inputs = new ArrayList<>();
    PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> ORDER.compare(a.record, b.record));
    try {
      for (String run : runs.stream().sorted().toList()) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(Path.of(run)), 1 << 16));
        inputs.add(in);
        byte[][] first = read(in);
        if (first != null) {
          heads.add(new Head(first, in));
        }
      }
    } catch (IOException e) {
      closeAll(inputs);
      throw new UncheckedIOException("cannot open the sorted runs: " + e.getMessage(), e);
    }
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        if (heads.isEmpty()) {
          closeAll(inputs);
          return false;
        }
        return true;
      }

      @Override
      public byte[][] next() {
        Head h = heads.poll();
        if (h == null) {
          throw new NoSuchElementException();
        }
        try {
          byte[][] following = read(h.in);
          if (following != null) {
            heads.add(new Head(following, h.in));
          }
        } catch (IOException e) {
          closeAll(inputs);
          throw new UncheckedIOException("reading a sorted run failed: " + e.getMessage(), e);
        }
        return h.record;
      }
    };
  }

  private record Head(byte[][] record, DataInputStream in) {}

  private static byte[][] read(DataInputStream in) throws IOException {
    int keyLength;
    try {
      keyLength = in.readInt();
    } catch (EOFException e) {
      return null;
    }
    byte[] key = new byte[keyLength];
    in.readFully(key);
    byte[] value = new byte[in.readInt()];
    in.readFully(value);
    return new byte[][] {key, value};
  }

  private static void closeAll(List<DataInputStream> inputs) {
    for (DataInputStream in : inputs) {
      try {
        in.close();
      } catch (IOException e) {
        // Reading is over; nothing to recover.
      }
    }
    inputs.clear();
  }
}
