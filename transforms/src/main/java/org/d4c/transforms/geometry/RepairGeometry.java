package org.d4c.transforms.geometry;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.rejects.RejectCoder;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.operation.valid.IsValidOp;

/**
 * Makes invalid geometries valid with JTS's GeometryFixer (make-valid). A geometry that collapses (a polygon to a
 * line, anything to empty) cannot be repaired without changing what it is, and becomes a reject.
 */
public final class RepairGeometry extends PTransform<PCollection<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static RepairGeometry create() {
    return new RepairGeometry();
  }

  @Override
  public PCollectionTuple expand(PCollection<Feature> input) {
    PCollectionTuple out = input.apply("Make geometries valid",
        ParDo.of(new RepairFn()).withOutputTags(GeometrySteps.FEATURES, TupleTagList.of(GeometrySteps.REJECTS)));
    out.get(GeometrySteps.FEATURES).setCoder(FeatureCoder.of());
    out.get(GeometrySteps.REJECTS).setCoder(RejectCoder.of());
    return out;
  }

  /** The repaired geometry, or null when it cannot be repaired without changing its dimension. */
  public static Geometry repair(Geometry g) {
    if (g.isValid()) {
      return g;
    }
    Geometry fixed = GeometryFixer.fix(g, true);
    if (fixed.isEmpty() || fixed.getDimension() != g.getDimension() || !fixed.isValid()) {
      return null;
    }
    return fixed;
  }

  /**
   * {@code f} with a valid geometry (the same feature when it was valid), or null after handing a reject to
   * {@code rejects} when it cannot be repaired.
   */
  public static Feature apply(Feature f, java.util.function.Consumer<Reject> rejects) {
    Geometry g = f.geometry();
    String nonFinite = GeometrySteps.nonFiniteVertex(g);
    if (nonFinite != null) { // GeometryFixer would drop the vertex and keep the rest
      rejects.accept(new Reject(f.source(), f.fid(), Reject.Reason.INVALID_GEOMETRY, nonFinite, GeometrySteps.wkt(g)));
      return null;
    }
    Geometry fixed = repair(g);
    if (fixed == null) {
      String why = new IsValidOp(g).getValidationError().toString();
      rejects.accept(new Reject(f.source(), f.fid(), Reject.Reason.INVALID_GEOMETRY,
          "cannot be made valid without collapsing: " + why, GeometrySteps.wkt(g)));
      return null;
    }
    return fixed == g ? f : f.withGeometry(fixed);
  }

  static final class RepairFn extends DoFn<Feature, Feature> {
    private static final long serialVersionUID = 1L;
    private final Counter repaired = Metrics.counter("d4c", "geometries_repaired");

    @ProcessElement
    public void process(@Element Feature f, MultiOutputReceiver out) {
      Feature fixed = apply(f, r -> out.get(GeometrySteps.REJECTS).output(r));
      if (fixed != null) {
        if (fixed != f) {
          repaired.inc();
        }
        out.get(GeometrySteps.FEATURES).output(fixed);
      }
    }
  }
}
