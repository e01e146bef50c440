package org.d4c.transforms.sort;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.davidmoten.hilbert.HilbertCurve;
import org.davidmoten.hilbert.SmallHilbertCurve;
import org.locationtech.jts.geom.Envelope;

/**
 * Gives every feature its position on a Hilbert curve laid over the extent of the whole layer: the centre of the
 * feature's bounding box, quantised to {@value #BITS} bits per axis. Nearby features get nearby keys, so row groups
 * sorted by the key cover small areas and readers can skip them by their bbox statistics.
 */
public final class HilbertKey extends PTransform<PCollection<Feature>, PCollection<Feature>> {
  private static final long serialVersionUID = 1L;
  /** Bits per axis; 16 matches what DuckDB's ST_Hilbert and other GeoParquet writers use. */
  public static final int BITS = 16;

  private final PCollectionView<Envelope> extentView;
  private final Envelope extent;

  private HilbertKey(PCollectionView<Envelope> extentView, Envelope extent) {
    this.extentView = extentView;
    this.extent = extent;
  }

  /** Keys within the extent that {@link ComputeExtent} computes from the data (a side input: one more pass). */
  public static HilbertKey within(PCollectionView<Envelope> extent) {
    return new HilbertKey(extent, null);
  }

  /** Keys within an extent known before the pipeline runs (e.g. the layer's, from its header): no extra pass. */
  public static HilbertKey within(Envelope extent) {
    return new HilbertKey(null, new Envelope(extent));
  }

  @Override
  public PCollection<Feature> expand(PCollection<Feature> input) {
    KeyFn fn = new KeyFn(extent, extentView);
    var parDo = extentView == null ? ParDo.of(fn) : ParDo.of(fn).withSideInputs(extentView);
    return input.apply("Place on Hilbert curve", parDo).setCoder(FeatureCoder.of());
  }

  /** Keys each feature within the fixed extent, or within the side input's when there is no fixed one. */
  private static final class KeyFn extends DoFn<Feature, Feature> {
    private static final long serialVersionUID = 1L;
    private final Envelope fixed;
    private final PCollectionView<Envelope> view;
    private transient SmallHilbertCurve curve;

    KeyFn(Envelope fixed, PCollectionView<Envelope> view) {
      this.fixed = fixed;
      this.view = view;
    }

    @Setup
    public void setup() {
      curve = HilbertCurve.small().bits(BITS).dimensions(2);
    }

    @ProcessElement
    public void process(@Element Feature f, ProcessContext c) {
      Envelope within = fixed != null ? fixed : c.sideInput(view);
      c.output(f.withSortKey(key(curve, within, f.geometry().getEnvelopeInternal())));
    }
  }

  /** The Hilbert index of the centre of {@code box} within {@code extent}. */
  public static long key(SmallHilbertCurve curve, Envelope extent, Envelope box) {
    long max = (1L << BITS) - 1;
    long x = scale((box.getMinX() + box.getMaxX()) / 2, extent.getMinX(), extent.getWidth(), max);
    long y = scale((box.getMinY() + box.getMaxY()) / 2, extent.getMinY(), extent.getHeight(), max);
    return curve.index(x, y);
  }

  private static long scale(double v, double min, double size, long max) {
    if (!(size > 0)) {
      return 0;
    }
    long q = (long) Math.floor((v - min) / size * max);
    return Math.max(0, Math.min(max, q));
  }
}
