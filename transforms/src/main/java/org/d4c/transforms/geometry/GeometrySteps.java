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

  /** WKT for the rejects file, cut short for huge geometries. */
  static String wkt(Geometry g) {
    if (g == null) {
      return null;
    }
    String wkt = g.toText();
    return wkt.length() > 10_000 ? wkt.substring(0, 10_000) + "..." : wkt;
  }
}
