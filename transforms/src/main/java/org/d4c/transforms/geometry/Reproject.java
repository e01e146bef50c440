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
import org.gdal.osr.CoordinateTransformation;
import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFilter;
import org.locationtech.jts.geom.Geometry;

/**
 * Reprojects geometries to the output CRS with PROJ (through GDAL), the same engine ogr2ogr uses. A geometry whose
 * coordinates cannot be transformed (outside the CRS's area) becomes a reject.
 */
public final class Reproject extends PTransform<PCollection<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  private final String sourceCrs;
  private final String targetCrs;

  private Reproject(String sourceCrs, String targetCrs) {
    this.sourceCrs = sourceCrs;
    this.targetCrs = targetCrs;
  }

  /**
   * @param sourceCrs the layer's CRS (WKT, PROJJSON or an authority code); null means already in the target CRS
   * @param targetCrs the output CRS, e.g. "OGC:CRS84"
   */
  public static Reproject from(String sourceCrs, String targetCrs) {
    return new Reproject(sourceCrs, targetCrs);
  }

  /** True when the transform changes coordinates at all. */
  public static boolean needed(String sourceCrs, String targetCrs) {
    return sourceCrs != null && !Crs.sameExceptAxisOrder(Crs.parse(sourceCrs), Crs.parse(targetCrs));
  }

  @Override
  public PCollectionTuple expand(PCollection<Feature> input) {
    PCollectionTuple out = input.apply("Transform coordinates",
        ParDo.of(new ReprojectFn(sourceCrs, targetCrs)).withOutputTags(GeometrySteps.FEATURES,
            TupleTagList.of(GeometrySteps.REJECTS)));
    out.get(GeometrySteps.FEATURES).setCoder(FeatureCoder.of());
    out.get(GeometrySteps.REJECTS).setCoder(RejectCoder.of());
    return out;
  }

  static final class ReprojectFn extends DoFn<Feature, Feature> {
    private static final long serialVersionUID = 1L;
    private final String sourceCrs;
    private final String targetCrs;
    private final Counter failed = Metrics.counter("d4c", "reprojection_failed");
    private transient CoordinateTransformation transform;

    ReprojectFn(String sourceCrs, String targetCrs) {
      this.sourceCrs = sourceCrs;
      this.targetCrs = targetCrs;
    }

    @Setup
    public void setup() {
      transform = transformation(sourceCrs, targetCrs);
    }

    @ProcessElement
    public void process(@Element Feature f, MultiOutputReceiver out) {
      Feature t = apply(transform, targetCrs, f, r -> {
        failed.inc();
        out.get(GeometrySteps.REJECTS).output(r);
      });
      if (t != null) {
        out.get(GeometrySteps.FEATURES).output(t);
      }
    }
  }

  /** A transformation from {@code sourceCrs} to {@code targetCrs}, or null when none is {@link #needed}. */
  public static CoordinateTransformation transformation(String sourceCrs, String targetCrs) {
    if (!needed(sourceCrs, targetCrs)) {
      return null;
    }
    return CoordinateTransformation.CreateCoordinateTransformation(Crs.parse(sourceCrs), Crs.parse(targetCrs));
  }

  /**
   * {@code f} with its geometry transformed by {@code transform} (null: unchanged), or null after handing a reject to
   * {@code rejects} when a coordinate cannot be transformed.
   */
  public static Feature apply(CoordinateTransformation transform, String targetCrs, Feature f,
      java.util.function.Consumer<Reject> rejects) {
    if (transform == null || GeometrySteps.nonFiniteVertex(f.geometry()) != null) {
      return f; // RepairGeometry rejects a non-finite vertex with its reason
    }
    Geometry g = f.geometry().copy();
    double[][] points = new double[g.getNumPoints()][];
    int[] n = {0};
    g.apply(new Collect(points, n));
    try {
      transform.TransformPoints(points);
    } catch (RuntimeException e) {
      rejects.accept(reject(f, targetCrs, e.getMessage()));
      return null;
    }
    for (double[] p : points) {
      if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) {
        rejects.accept(reject(f, targetCrs,
            "a coordinate is outside the area where " + Crs.abbreviate(targetCrs) + " is defined"));
        return null;
      }
    }
    n[0] = 0;
    g.apply(new Store(points, n));
    g.geometryChanged();
    return f.withGeometry(g);
  }

  private static Reject reject(Feature f, String targetCrs, String why) {
    return new Reject(f.source(), f.fid(), Reject.Reason.REPROJECTION_FAILED,
        "cannot transform to " + Crs.abbreviate(targetCrs) + ": " + why, GeometrySteps.wkt(f.geometry()));
  }

  private record Collect(double[][] points, int[] n) implements CoordinateSequenceFilter {
    @Override
    public void filter(CoordinateSequence seq, int i) {
      points[n[0]++] = new double[] {seq.getX(i), seq.getY(i)};
    }

    @Override
    public boolean isDone() {
      return false;
    }

    @Override
    public boolean isGeometryChanged() {
      return false;
    }
  }

  private record Store(double[][] points, int[] n) implements CoordinateSequenceFilter {
    @Override
    public void filter(CoordinateSequence seq, int i) {
      double[] p = points[n[0]++];
      seq.setOrdinate(i, 0, p[0]);
      seq.setOrdinate(i, 1, p[1]);
    }

    @Override
    public boolean isDone() {
      return false;
    }

    @Override
    public boolean isGeometryChanged() {
      return true;
    }
  }
}
