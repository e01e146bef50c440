package org.d4c.transforms.sort;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
final class SortedRuns {
  static final Comparator<byte[][]> ORDER = (a, b) -> {
    int c = Arrays.compareUnsigned(a[0], b[0]);
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
    private transient List<byte[][]> buffer;
    private transient long bytes;
    private transient List<String> written;

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
      buffer = new ArrayList<>();
      bytes = 0;
      written = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element Feature f) throws IOException {
      byte[][] record = {keyFn.apply(f), SortByHilbert.encode(f)};
      buffer.add(record);
      bytes += record[0].length + record[1].length + 64;
      if (bytes >= maxBytes) {
        written.add(flush());
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      if (!buffer.isEmpty()) {
        written.add(flush());
      }
      // Only runs of a bundle that finished are passed on: files of a failed, retried bundle are never read.
      for (String run : written) {
        c.output(KV.of(output, run), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }

    private String flush() throws IOException {
      buffer.sort(ORDER);
      Path dir = Files.createDirectories(Paths.get(folder, output));
      Path run = dir.resolve(UUID.randomUUID() + ".run");
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
        for (byte[][] r : buffer) {
          out.writeInt(r[0].length);
          out.write(r[0]);
          out.writeInt(r[1].length);
          out.write(r[1]);
        }
      }
      buffer.clear();
      bytes = 0;
      return run.toString();
    }
  }

  /** The records of several runs as one stream in sort order, reading each run once. */
  static Iterator<byte[][]> merge(List<String> runs) {
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
