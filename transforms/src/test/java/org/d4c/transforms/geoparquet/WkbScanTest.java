package org.d4c.transforms.geoparquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.d4c.transforms.feature.FeatureCoder;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKTReader;

/** The WKB walk gives what JTS gives for the same bytes: type name and envelope, or "empty". */
class WkbScanTest {
  private static final GeometryFactory GF = new GeometryFactory();

  private static void sameAsJts(Geometry g) {
    byte[] wkb = FeatureCoder.toWkb(g);
    Geometry back = FeatureCoder.fromWkb(wkb);
    WkbScan.Info info = WkbScan.scan(wkb);
    assertThat(g.toText(), info, notNullValue());
    String jtsType = back.getGeometryType().equals("LinearRing") ? "LineString" : back.getGeometryType();
    assertThat(g.toText(), info.type(), is(jtsType));
    Envelope e = back.getEnvelopeInternal();
    if (back.isEmpty()) {
      assertThat(g.toText(), info.box(), nullValue());
    } else {
      assertThat(g.toText(), info.box(), is(new double[] {e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY()}));
    }
  }

  @Test
  void everyTypeAndEmptyOnesMatchJts() throws Exception {
    WKTReader r = new WKTReader(GF);
    for (String wkt : List.of("POINT (1 2)", "POINT EMPTY", "LINESTRING (0 0, 3 -4, -1 5)", "LINESTRING EMPTY",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))", "POLYGON EMPTY",
        "MULTIPOINT ((1 1), (-2 7))", "MULTIPOINT EMPTY", "MULTILINESTRING ((0 0, 1 1), (5 5, 6 -6))",
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 9 5, 9 9, 5 5)))", "MULTIPOLYGON EMPTY",
        "GEOMETRYCOLLECTION (POINT (3 3), LINESTRING (-1 -1, 0 4), POLYGON ((0 0, 1 0, 1 1, 0 0)))",
        "GEOMETRYCOLLECTION (POINT EMPTY, POINT (2 -3))", "GEOMETRYCOLLECTION EMPTY",
        "GEOMETRYCOLLECTION (GEOMETRYCOLLECTION (POINT (9 9)), MULTIPOINT ((0 0)))",
        // invalid: a hole outside its shell; JTS bounds a polygon by its shell only
        "POLYGON ((0 0, 1 0, 1 1, 0 0), (5 5, 6 5, 6 6, 5 5))",
        "POINT (-0.0 0.0)", "LINESTRING (0.0 -0.0, -0.0 0.0)")) {
      sameAsJts(r.read(wkt));
    }
  }

  @Test
  void randomGeometriesMatchJts() {
    Random rnd = new Random(7);
    for (int i = 0; i < 500; i++) {
      List<Polygon> polys = new ArrayList<>();
      for (int p = 0; p < 1 + rnd.nextInt(3); p++) {
        double x = rnd.nextGaussian() * 100, y = rnd.nextGaussian() * 50;
        Coordinate[] c = new Coordinate[5 + rnd.nextInt(5)];
        for (int k = 0; k < c.length - 1; k++) c[k] = new Coordinate(x + rnd.nextDouble() * 3, y + rnd.nextDouble() * 3);
        c[c.length - 1] = c[0];
        LinearRing shell = GF.createLinearRing(c);
        polys.add(GF.createPolygon(shell));
      }
      sameAsJts(GF.createMultiPolygon(polys.toArray(new Polygon[0])));
      sameAsJts(polys.get(0));
      sameAsJts(polys.get(0).getExteriorRing());
    }
  }

  @Test
  void bytesItDoesNotTakeAreLeftToJts() {
    assertThat(WkbScan.scan(new byte[] {1, 1, 0, 0}), nullValue()); // short
    assertThat(WkbScan.scan(new byte[] {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), nullValue()); // big-endian
    byte[] z = FeatureCoder.toWkb(GF.createPoint(new Coordinate(1, 2)));
    z[1] = (byte) 0xE9; // 1001: POINT Z
    z[2] = 0x03;
    assertThat(WkbScan.scan(z), nullValue());
    byte[] extra = java.util.Arrays.copyOf(FeatureCoder.toWkb(GF.createPoint(new Coordinate(1, 2))), 22);
    assertThat(WkbScan.scan(extra), nullValue()); // trailing bytes
  }
}
