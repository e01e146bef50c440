package org.d4c.transforms.geometry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.testing.Pipelines;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.algorithm.Orientation;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.MultiLineString;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

class NormalizeGeometryTest {
  static Geometry wkt(String text) {
    try {
      return new WKTReader().read(text);
    } catch (ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static boolean ccw(LineString ring) {
    return Orientation.isCCW(ring.getCoordinateSequence());
  }

  /** Shell counterclockwise, every hole clockwise. */
  private static void assertOriented(Polygon p) {
    assertThat("shell of " + p, ccw(p.getExteriorRing()), is(true));
    for (int i = 0; i < p.getNumInteriorRing(); i++) {
      assertThat("hole " + i + " of " + p, ccw(p.getInteriorRingN(i)), is(false));
    }
  }

  // Clockwise shell, counterclockwise hole: the opposite of what GeoParquet's "counterclockwise" promises.
  private static final String CW_SHELL_CCW_HOLE =
      "POLYGON ((0 0, 0 10, 10 10, 10 0, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2))";
  private static final String CCW_SHELL_CW_HOLE =
      "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))";

  @Test
  void clockwiseShellBecomesCounterclockwiseAndHoleClockwise() {
    Geometry in = wkt(CW_SHELL_CCW_HOLE);
    Geometry out = NormalizeGeometry.normalize(in, false);
    assertThat(out, instanceOf(Polygon.class));
    assertOriented((Polygon) out);
    assertThat(out.equalsExact(wkt(CCW_SHELL_CW_HOLE)), is(true)); // same vertices, only reversed
    assertThat(out.getArea(), is(in.getArea()));
  }

  @Test
  void onlyTheWrongRingIsReversed() {
    // Right shell, wrong hole.
    Geometry in = wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2), (6 6, 6 8, 8 8, 8 6, 6 6))");
    Polygon out = (Polygon) NormalizeGeometry.normalize(in, false);
    assertOriented(out);
    Polygon p = (Polygon) in;
    assertThat(out.getExteriorRing().equalsExact(p.getExteriorRing()), is(true));
    assertThat(out.getInteriorRingN(0).equalsExact(p.getInteriorRingN(0).reverse()), is(true));
    assertThat(out.getInteriorRingN(1).equalsExact(p.getInteriorRingN(1)), is(true));
  }

  @Test
  void everyPartOfAMultiPolygonIsOriented() {
    Geometry in = wkt("MULTIPOLYGON (((0 0, 0 1, 1 1, 1 0, 0 0)), ((5 5, 6 5, 6 6, 5 6, 5 5)),"
        + " ((20 20, 20 30, 30 30, 30 20, 20 20), (22 22, 24 22, 24 24, 22 24, 22 22)))");
    Geometry out = NormalizeGeometry.normalize(in, false);
    assertThat(out, instanceOf(MultiPolygon.class));
    assertThat(out.getNumGeometries(), is(3));
    for (int i = 0; i < 3; i++) {
      assertOriented((Polygon) out.getGeometryN(i));
    }
    assertThat(out.getGeometryN(1), sameInstance(in.getGeometryN(1))); // the part that was right is kept as is
  }

  @Test
  void polygonsInACollectionAreOriented() {
    Geometry in = wkt("GEOMETRYCOLLECTION (POINT (1 1), POLYGON ((0 0, 0 10, 10 10, 10 0, 0 0)))");
    Geometry out = NormalizeGeometry.normalize(in, true);
    assertThat(out.getGeometryType(), is("GeometryCollection"));
    assertOriented((Polygon) out.getGeometryN(1));
  }

  @Test
  void promotionMakesPolygonsAndLinesMulti() {
    Geometry poly = NormalizeGeometry.normalize(wkt(CW_SHELL_CCW_HOLE), true);
    assertThat(poly, instanceOf(MultiPolygon.class));
    assertThat(poly.getNumGeometries(), is(1));
    assertOriented((Polygon) poly.getGeometryN(0));

    Geometry rightPoly = wkt(CCW_SHELL_CW_HOLE);
    Geometry promoted = NormalizeGeometry.normalize(rightPoly, true);
    assertThat(promoted, instanceOf(MultiPolygon.class));
    assertThat(promoted.getGeometryN(0), sameInstance(rightPoly));

    Geometry line = wkt("LINESTRING (3 3, 1 1, 2 5)");
    Geometry multiLine = NormalizeGeometry.normalize(line, true);
    assertThat(multiLine, instanceOf(MultiLineString.class));
    assertThat(multiLine.getGeometryN(0).equalsExact(line), is(true)); // lines keep their direction
  }

  @Test
  void withoutPromotionTypesStay() {
    assertThat(NormalizeGeometry.normalize(wkt(CW_SHELL_CCW_HOLE), false), instanceOf(Polygon.class));
    Geometry line = wkt("LINESTRING (3 3, 1 1, 2 5)");
    assertThat(NormalizeGeometry.normalize(line, false), sameInstance(line));
  }

  @Test
  void pointsAreUntouchedEvenWhenPromoting() {
    for (String text : new String[] {"POINT (-73.5 45.5)", "MULTIPOINT ((1 2), (3 4))"}) {
      Geometry g = wkt(text);
      assertThat(text, NormalizeGeometry.normalize(g, true), sameInstance(g));
      assertThat(text, NormalizeGeometry.normalize(g, false), sameInstance(g));
    }
  }

  @Test
  void unchangedGeometryIsTheSameObject() {
    for (String text : new String[] {CCW_SHELL_CW_HOLE,
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
        "MULTILINESTRING ((0 0, 1 1), (1 1, 0 0))"}) {
      Geometry g = wkt(text);
      assertThat(text, NormalizeGeometry.normalize(g, false), sameInstance(g));
      if (!(g instanceof Polygon)) {
        assertThat(text, NormalizeGeometry.normalize(g, true), sameInstance(g));
      }
    }
  }

  @Test
  void normalizingTwiceChangesNothing() {
    Geometry once = NormalizeGeometry.normalize(wkt(CW_SHELL_CCW_HOLE), true);
    assertThat(NormalizeGeometry.normalize(once, true), sameInstance(once));
  }

  @Test
  void transformKeepsUnchangedFeaturesAndFixesTheOthers() {
    Pipeline p = Pipelines.direct();
    Feature right = new Feature(0, 1, wkt(CCW_SHELL_CW_HOLE), new Object[] {"a"});
    Feature wrong = new Feature(0, 2, wkt(CW_SHELL_CCW_HOLE), new Object[] {"b"}, 9);
    var out = Pipelines.collect(p.apply(Create.of(right, wrong).withCoder(FeatureCoder.of()))
        .apply(NormalizeGeometry.of(false)));
    Pipelines.run(p);
    assertThat(out.get(), containsInAnyOrder(right, new Feature(0, 2, wkt(CCW_SHELL_CW_HOLE), new Object[] {"b"}, 9)));
  }
}
