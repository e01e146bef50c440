package org.d4c.transforms.geometry;

import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.PCollection;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.locationtech.jts.algorithm.Orientation;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryCollection;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;

/**
 * Puts geometries in one canonical form: exterior rings counter-clockwise and holes clockwise (as GeoParquet's
 * {@code orientation: counterclockwise} promises), and, when asked, single polygons and lines promoted to their multi
 * types so that a column has one geometry type.
 */
public final class NormalizeGeometry extends PTransform<PCollection<Feature>, PCollection<Feature>> {
  private static final long serialVersionUID = 1L;
  private final boolean promoteToMulti;

  private NormalizeGeometry(boolean promoteToMulti) {
    this.promoteToMulti = promoteToMulti;
  }

  public static NormalizeGeometry of(boolean promoteToMulti) {
    return new NormalizeGeometry(promoteToMulti);
  }

  @Override
  public PCollection<Feature> expand(PCollection<Feature> input) {
    boolean promote = promoteToMulti;
    return input.apply("Orient rings and unify types", MapElements.via(new SimpleFunction<Feature, Feature>() {
      @Override
      public Feature apply(Feature f) {
        Geometry g = normalize(f.geometry(), promote);
        return g == f.geometry() ? f : f.withGeometry(g);
      }
    })).setCoder(FeatureCoder.of());
  }

  /** The normalised geometry (the same object when nothing had to change). */
  public static Geometry normalize(Geometry g, boolean promoteToMulti) {
    GeometryFactory gf = g.getFactory();
    Geometry oriented = orient(g);
    if (promoteToMulti) {
      if (oriented instanceof Polygon p) {
        return gf.createMultiPolygon(new Polygon[] {p});
      }
      if (oriented instanceof LineString l && !(oriented instanceof LinearRing)) {
        return gf.createMultiLineString(new LineString[] {l});
      }
    }
    return oriented;
  }

  private static Geometry orient(Geometry g) {
    if (g instanceof Polygon p) {
      return orient(p);
    }
    if (g instanceof GeometryCollection c) {
      boolean changed = false;
      Geometry[] parts = new Geometry[c.getNumGeometries()];
      for (int i = 0; i < parts.length; i++) {
        parts[i] = orient(c.getGeometryN(i));
        changed |= parts[i] != c.getGeometryN(i);
      }
      if (!changed) {
        return g;
      }
      GeometryFactory gf = g.getFactory();
      if (g instanceof MultiPolygon) {
        Polygon[] polys = new Polygon[parts.length];
        for (int i = 0; i < parts.length; i++) {
          polys[i] = (Polygon) parts[i];
        }
        return gf.createMultiPolygon(polys);
      }
      return gf.createGeometryCollection(parts);
    }
    return g;
  }

  private static Polygon orient(Polygon p) {
    LinearRing shell = p.getExteriorRing();
    boolean change = !Orientation.isCCW(shell.getCoordinateSequence());
    for (int i = 0; i < p.getNumInteriorRing() && !change; i++) {
      change = Orientation.isCCW(p.getInteriorRingN(i).getCoordinateSequence());
    }
    if (!change) {
      return p;
    }
    GeometryFactory gf = p.getFactory();
    LinearRing[] holes = new LinearRing[p.getNumInteriorRing()];
    for (int i = 0; i < holes.length; i++) {
      holes[i] = ring(p.getInteriorRingN(i), false);
    }
    return gf.createPolygon(ring(shell, true), holes);
  }

  private static LinearRing ring(LinearRing r, boolean ccw) {
    if (r.isEmpty() || Orientation.isCCW(r.getCoordinateSequence()) == ccw) {
      return r;
    }
    return r.reverse();
  }
}
