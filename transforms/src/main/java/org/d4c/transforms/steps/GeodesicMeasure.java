package org.d4c.transforms.steps;

import org.d4c.transforms.geometry.Crs;
import org.gdal.osr.CoordinateTransformation;
import org.gdal.osr.SpatialReference;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.CoordinateSequence;
import org.locationtech.jts.geom.CoordinateSequenceFilter;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;

/**
 * Areas and lengths on the WGS 84 ellipsoid, whatever the output CRS. Area: the geometry in longitude/latitude is
 * projected to a Lambert azimuthal equal-area projection on the ellipsoid centred on it (PROJ through GDAL), which
 * keeps areas exactly, then measured in the plane. Length: the sum of Vincenty's inverse geodesic distances.
 */
public final class GeodesicMeasure implements Expr.Measure {
  private static final long serialVersionUID = 1L;
  private static final double A = 6378137.0;
  private static final double F = 1 / 298.257223563;
  private static final double B = A * (1 - F);
  private final String crs;
  private transient CoordinateTransformation toLonLat;
  private transient boolean ready;

  public GeodesicMeasure(String crs) {
    this.crs = crs;
  }

  private Geometry lonLat(Geometry g) {
    if (!ready) {
      SpatialReference from = Crs.parse(crs);
      SpatialReference ll = Crs.parse(Crs.CRS84);
      toLonLat = Crs.sameExceptAxisOrder(from, ll) ? null : CoordinateTransformation.CreateCoordinateTransformation(from, ll);
      ready = true;
    }
    return toLonLat == null ? g : transform(g, toLonLat);
  }

  private static Geometry transform(Geometry g, CoordinateTransformation ct) {
    Geometry c = g.copy();
    c.apply(new CoordinateSequenceFilter() {
      @Override
      public void filter(CoordinateSequence seq, int i) {
        double[] p = {seq.getX(i), seq.getY(i), 0};
        ct.TransformPoint(p);
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
    });
    return c;
  }

  @Override
  public synchronized double area(Geometry g) {
    if (g.getDimension() < 2) {
      return 0;
    }
    Geometry ll = lonLat(g);
    Coordinate c = ll.getEnvelopeInternal().centre();
    SpatialReference laea = Crs.parse(String.format(java.util.Locale.ROOT,
        "+proj=laea +lat_0=%.9f +lon_0=%.9f +ellps=WGS84 +units=m +no_defs", c.y, c.x));
    CoordinateTransformation ct = CoordinateTransformation.CreateCoordinateTransformation(Crs.parse(Crs.CRS84), laea);
    return transform(ll, ct).getArea();
  }

  @Override
  public synchronized double length(Geometry g) {
    Geometry ll = lonLat(g);
    double total = 0;
    for (int i = 0; i < ll.getNumGeometries(); i++) {
      Geometry part = ll.getGeometryN(i);
      if (part instanceof org.locationtech.jts.geom.Polygon p) {
        total += line(p.getExteriorRing());
        for (int h = 0; h < p.getNumInteriorRing(); h++) total += line(p.getInteriorRingN(h));
      } else if (part instanceof LineString l) {
        total += line(l);
      }
    }
    return total;
  }

  private static double line(LineString l) {
    double sum = 0;
    for (int i = 1; i < l.getNumPoints(); i++) {
      sum += vincenty(l.getCoordinateN(i - 1), l.getCoordinateN(i));
    }
    return sum;
  }

  /** Vincenty's inverse formula on WGS 84 (metres). */
  static double vincenty(Coordinate p, Coordinate q) {
    double l = Math.toRadians(q.x - p.x);
    double u1 = Math.atan((1 - F) * Math.tan(Math.toRadians(p.y)));
    double u2 = Math.atan((1 - F) * Math.tan(Math.toRadians(q.y)));
    double sinU1 = Math.sin(u1), cosU1 = Math.cos(u1), sinU2 = Math.sin(u2), cosU2 = Math.cos(u2);
    double lambda = l, prev, sinSigma, cosSigma, sigma, cos2Alpha, cos2SigmaM;
    int iter = 0;
    do {
      double sinL = Math.sin(lambda), cosL = Math.cos(lambda);
      sinSigma = Math.sqrt(Math.pow(cosU2 * sinL, 2) + Math.pow(cosU1 * sinU2 - sinU1 * cosU2 * cosL, 2));
      if (sinSigma == 0) return 0;
      cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
      sigma = Math.atan2(sinSigma, cosSigma);
      double sinAlpha = cosU1 * cosU2 * sinL / sinSigma;
      cos2Alpha = 1 - sinAlpha * sinAlpha;
      cos2SigmaM = cos2Alpha == 0 ? 0 : cosSigma - 2 * sinU1 * sinU2 / cos2Alpha;
      double c = F / 16 * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha));
      prev = lambda;
      lambda = l + (1 - c) * F * sinAlpha * (sigma + c * sinSigma * (cos2SigmaM + c * cosSigma
          * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    } while (Math.abs(lambda - prev) > 1e-12 && ++iter < 200);
    double uSq = cos2Alpha * (A * A - B * B) / (B * B);
    double bigA = 1 + uSq / 16384 * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
    double bigB = uSq / 1024 * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
    double deltaSigma = bigB * sinSigma * (cos2SigmaM + bigB / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
        - bigB / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    return B * bigA * (sigma - deltaSigma);
  }
}
