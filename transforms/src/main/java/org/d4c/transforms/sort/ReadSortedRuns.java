package org.d4c.transforms.sort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.SelectFields;
import org.d4c.transforms.geometry.NormalizeGeometry;
import org.d4c.transforms.geometry.RepairGeometry;
import org.d4c.transforms.geometry.Reproject;
import org.d4c.transforms.read.OgrLayerInfo;
import org.d4c.transforms.read.OgrSplit;
import org.d4c.transforms.read.ReadOgr;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.rejects.RejectCoder;
import org.davidmoten.hilbert.HilbertCurve;
import org.davidmoten.hilbert.SmallHilbertCurve;
import org.gdal.osr.CoordinateTransformation;
import org.joda.time.Instant;
import org.locationtech.jts.geom.Envelope;

/**
 * Reads one OGR layer and turns it into sorted runs in a single step per split: read, select fields, reproject,
 * repair, normalise, place on the Hilbert curve, encode and buffer for a sorted run — the same work as
 * {@link ReadOgr}, {@link SelectFields}, {@link Reproject}, {@link RepairGeometry}, {@link NormalizeGeometry},
 * {@link HilbertKey} and {@link SortByHilbert} applied one after the other, with the same result.
 *
 * <p>Why one step: a runner hands every element between steps over as an object it holds in memory (the Direct
 * runner commits whole bundles, up to a split's features, at every step) and schedules each hand-over; here the only
 * elements are the splits going in and the run files coming out. Features in memory are bounded by
 * {@link SortedRuns.RunBuffer}'s budget (a quarter of the heap, shared by all workers), not by the input's size.
 *
 * <p>Outputs: {@link #RUNS} (output name, run file) for {@code WriteSortedRuns}, and {@link #REJECTS}.
 */
public final class ReadSortedRuns extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  public static final TupleTag<KV<String, String>> RUNS = new TupleTag<>() {};
  public static final TupleTag<Reject> REJECTS = new TupleTag<>() {};

  private final OgrLayerInfo layer;
  private final SelectFields select;
  private final String targetCrs;
  private final boolean promoteToMulti;
  private final Envelope extent;
  private final String output;
  private final String runFolder;
  private final int memoryMb;

  private ReadSortedRuns(OgrLayerInfo layer, SelectFields select, String targetCrs, boolean promoteToMulti,
      Envelope extent, String output, String runFolder, int memoryMb) {
    this.layer = layer;
    this.select = select;
    this.targetCrs = targetCrs;
    this.promoteToMulti = promoteToMulti;
    this.extent = extent;
    this.output = output;
    this.runFolder = runFolder;
    this.memoryMb = memoryMb;
  }

  /**
   * @param layer the layer as planned by {@code OgrLayers.describe}
   * @param select the fields kept, or null to keep them all in place
   * @param targetCrs the output CRS
   * @param promoteToMulti as {@link NormalizeGeometry#of}
   * @param extent the extent of the whole layer in the output CRS, which scales the Hilbert curve
   * @param output the output's name (runs go to {@code runFolder/output/})
   * @param runFolder a folder every worker can reach
   * @param memoryMb at most this much in one worker's buffer before it writes a run
   */
  public static ReadSortedRuns of(OgrLayerInfo layer, SelectFields select, String targetCrs, boolean promoteToMulti,
      Envelope extent, String output, String runFolder, int memoryMb) {
    return new ReadSortedRuns(layer, select, targetCrs, promoteToMulti, new Envelope(extent), output, runFolder,
        memoryMb);
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    PCollectionTuple out = input
        .apply("List parts", Create.of(layer.splits()).withCoder(SerializableCoder.of(OgrSplit.class)))
        .apply("Spread parts over workers", Reshuffle.viaRandomKey())
        .apply("Read, prepare and sort features", ParDo.of(new ReadSortFn(this))
            .withOutputTags(RUNS, TupleTagList.of(REJECTS)));
    out.get(RUNS).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    out.get(REJECTS).setCoder(RejectCoder.of());
    return out;
  }

  static final class ReadSortFn extends DoFn<OgrSplit, KV<String, String>> {
    private static final long serialVersionUID = 1L;
    private final ReadSortedRuns spec;
    private final ReadOgr.SplitReader reader;
    private transient CoordinateTransformation transform;
    private transient SmallHilbertCurve curve;
    private transient SortedRuns.RunBuffer buffer;

    ReadSortFn(ReadSortedRuns spec) {
      this.spec = spec;
      this.reader = new ReadOgr.SplitReader(spec.layer);
    }

    @Setup
    public void setup() {
      reader.start();
      transform = Reproject.transformation(spec.layer.srsWkt(), spec.targetCrs);
      curve = HilbertCurve.small().bits(HilbertKey.BITS).dimensions(2);
    }

    @StartBundle
    public void start() {
      buffer = new SortedRuns.RunBuffer(Paths.get(spec.runFolder, spec.output), (long) spec.memoryMb << 20);
    }

    @ProcessElement
    public void process(@Element OgrSplit split, MultiOutputReceiver out) {
      DoFn.OutputReceiver<Reject> rejects = out.get(REJECTS);
      DoFn.OutputReceiver<Feature> features = new Receiver<>() {
        @Override
        public void output(Feature f) {
          prepare(f, rejects);
        }
      };
      try {
        reader.read(split, new MultiOutputReceiver() {
          @Override
          @SuppressWarnings("unchecked")
          public <T> OutputReceiver<T> get(TupleTag<T> tag) {
            if (tag.equals(ReadOgr.FEATURES)) {
              return (OutputReceiver<T>) features;
            }
            if (tag.equals(ReadOgr.REJECTS)) {
              return (OutputReceiver<T>) rejects;
            }
            throw new IllegalArgumentException("no output " + tag);
          }

          @Override
          public <T> OutputReceiver<Row> getRowReceiver(TupleTag<T> tag) {
            throw new UnsupportedOperationException("no row outputs");
          }
        });
      } catch (RuntimeException e) {
        buffer.discard();
        throw e;
      }
    }

    /** The steps after reading, in the order the separate transforms apply them. */
    private void prepare(Feature f, DoFn.OutputReceiver<Reject> rejects) {
      if (spec.select != null) {
        f = spec.select.select(f);
      }
      f = Reproject.apply(transform, spec.targetCrs, f, rejects::output);
      if (f == null) {
        return;
      }
      f = RepairGeometry.apply(f, rejects::output);
      if (f == null) {
        return;
      }
      f = f.withGeometry(NormalizeGeometry.normalize(f.geometry(), spec.promoteToMulti));
      f = f.withSortKey(HilbertKey.key(curve, spec.extent, f.geometry().getEnvelopeInternal()));
      try {
        buffer.add(SortByHilbert.sortKey(f), SortByHilbert.encode(f));
      } catch (IOException e) {
        throw new UncheckedIOException("writing a sorted run of '" + spec.output + "' failed: " + e.getMessage(), e);
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      // Only runs of a bundle that finished are passed on: files of a failed, retried bundle are never read.
      for (String run : buffer.finish()) {
        c.output(RUNS, KV.of(spec.output, run), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }

    @Teardown
    public void teardown() {
      if (buffer != null) {
        buffer.discard();
      }
    }
  }

  /** An in-step receiver: elements go straight to the next step's code, never to the runner. */
  private abstract static class Receiver<T> implements DoFn.OutputReceiver<T> {
    @Override
    public void outputWithTimestamp(T value, Instant timestamp) {
      output(value);
    }
  }
}
