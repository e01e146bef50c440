package org.d4c.transforms.geometry;

import org.apache.beam.sdk.values.TupleTag;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.rejects.Reject;
import org.locationtech.jts.geom.Geometry;

/** The two outputs every geometry step has: features that go on, and rejects. */
public final class GeometrySteps {
  public static final TupleTag<Feature> FEATURES = new TupleTag<>() {};
  public static final TupleTag<Reject> REJECTS = new TupleTag<>() {};

  private GeometrySteps() {}

  /**
   * Why a geometry has a vertex that is not a finite number (NaN or infinite), or null when it has none. Such a
   * vertex cannot be dropped or repaired without silently changing the shape: the feature becomes a reject.
   */
  static String nonFiniteVertex(Geometry g) {
    org.locationtech.jts.geom.Coordinate[] cs = g.getCoordinates();
    for (int i = 0; i < cs.length; i++) {
      if (!Double.isFinite(cs[i].getX()) || !Double.isFinite(cs[i].getY())) {
        return "vertex " + (i + 1) + " of " + cs.length + " has a coordinate that is not a finite number (" + cs[i].getX()
            + " " + cs[i].getY() + ")";
      }
    }
    return null;
  }

  /** WKT for the rejects file, cut short for huge geometries. */
  static String wkt(Geometry g) {
    if (g == null) {
      return null;
    }
    String wkt = g.toText();
    return wkt.length() > 10_000 ? wkt.substring(0, 10_000) + "..." : wkt;
  }
}
