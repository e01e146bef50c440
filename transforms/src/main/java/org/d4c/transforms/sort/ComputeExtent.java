package org.d4c.transforms.sort;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.d4c.transforms.feature.Feature;
import org.locationtech.jts.geom.Envelope;

/**
 * The bounding box of all features, as a side input for the sort key. Min and max do not depend on the order in
 * which a runner combines, so the result is the same everywhere.
 */
public final class ComputeExtent extends PTransform<PCollection<Feature>, PCollectionView<Envelope>> {
  private static final long serialVersionUID = 1L;

  public static ComputeExtent create() {
    return new ComputeExtent();
  }

  @Override
  public PCollectionView<Envelope> expand(PCollection<Feature> input) {
    return input.apply("Combine bounding boxes", Combine.globally(new ExtentFn()).asSingletonView());
  }

  static final class ExtentFn extends Combine.CombineFn<Feature, Envelope, Envelope> {
    private static final long serialVersionUID = 1L;

    @Override
    public Envelope createAccumulator() {
      return new Envelope();
    }

    @Override
    public Envelope addInput(Envelope acc, Feature f) {
      acc.expandToInclude(f.geometry().getEnvelopeInternal());
      return acc;
    }

    @Override
    public Envelope mergeAccumulators(Iterable<Envelope> accs) {
      Envelope merged = new Envelope();
      for (Envelope e : accs) {
        merged.expandToInclude(e);
      }
      return merged;
    }

    @Override
    public Envelope extractOutput(Envelope acc) {
      return acc;
    }

    @Override
    public Coder<Envelope> getAccumulatorCoder(CoderRegistry registry, Coder<Feature> inputCoder) {
      return SerializableCoder.of(Envelope.class);
    }

    @Override
    public Coder<Envelope> getDefaultOutputCoder(CoderRegistry registry, Coder<Feature> inputCoder) {
      return SerializableCoder.of(Envelope.class);
    }
  }
}
