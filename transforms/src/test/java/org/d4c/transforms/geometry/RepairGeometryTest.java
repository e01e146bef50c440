package org.d4c.transforms.geometry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.testing.Pipelines;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;

class RepairGeometryTest {
  private static Geometry wkt(String text) {
    return NormalizeGeometryTest.wkt(text);
  }

  // Two triangles of area 1 each, touching at (1 1); the ring crosses itself there.
  private static final String BOW_TIE = "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))";

  @Test
  void bowTieBecomesTwoValidTrianglesWithTheSameArea() {
    Geometry bowTie = wkt(BOW_TIE);
    assertThat(bowTie.isValid(), is(false));
    Geometry fixed = RepairGeometry.repair(bowTie);
    assertThat(fixed, notNullValue());
    assertThat(fixed.isValid(), is(true));
    assertThat(fixed.getGeometryType(), oneOf("Polygon", "MultiPolygon"));
    assertThat(fixed.getNumGeometries(), is(2));
    assertThat(fixed.getArea(), closeTo(2.0, 1e-12)); // |+1| + |-1|, not the 0 of the self-cancelling ring
    assertThat(fixed.getGeometryN(0).getArea(), closeTo(1.0, 1e-12));
    assertThat(fixed.getEnvelopeInternal(), is(bowTie.getEnvelopeInternal()));
  }

  @Test
  void polygonWhosePointsAreCollinearCannotBeRepaired() {
    assertThat(RepairGeometry.repair(wkt("POLYGON ((0 0, 1 1, 2 2, 0 0))")), nullValue());
    assertThat(RepairGeometry.repair(wkt("POLYGON ((0 0, 1 1, 2 2, 3 3, 0 0))")), nullValue());
  }

  @Test
  void multiPolygonWithACollapsedPartKeepsAPolygonalType() {
    // One good square and one part that is only a line: the repair may drop the line, but must not turn the feature
    // into a GeometryCollection, which a polygon column cannot hold.
    Geometry in = wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((5 5, 6 6, 7 7, 5 5)))");
    Geometry fixed = RepairGeometry.repair(in);
    assertThat(fixed, notNullValue());
    assertThat(fixed.toText(), fixed.getGeometryType(), oneOf("Polygon", "MultiPolygon"));
    assertThat(fixed.isValid(), is(true));
    assertThat(fixed.getArea(), closeTo(1.0, 1e-12));
  }

  @Test
  void validGeometryIsReturnedAsIs() {
    for (String text : new String[] {
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))",
        "POLYGON ((0 0, 0 10, 10 10, 10 0, 0 0))", // clockwise is still valid
        "POINT (1 2)", "LINESTRING (0 0, 1 1, 0 1, 1 0)", // a self-crossing line is valid
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))"}) {
      Geometry g = wkt(text);
      assertThat(text, RepairGeometry.repair(g), sameInstance(g));
    }
  }

  @Test
  void holeOutsideItsShellIsRepairedWithoutLosingArea() {
    Geometry in = wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (20 20, 20 22, 22 22, 22 20, 20 20))");
    Geometry fixed = RepairGeometry.repair(in);
    assertThat(fixed, notNullValue());
    assertThat(fixed.isValid(), is(true));
    assertThat(fixed.getDimension(), is(2));
  }

  @Test
  void transformRepairsRejectsAndPassesThrough() {
    Pipeline p = Pipelines.direct();
    Feature valid = new Feature(0, 1, wkt("POINT (1 2)"), new Object[] {"ok"});
    Feature bowTie = new Feature(0, 2, wkt(BOW_TIE), new Object[] {"fix"});
    Feature line = new Feature(1, -3, wkt("POLYGON ((0 0, 1 1, 2 2, 0 0))"), new Object[] {"bad"});
    var tuple = p.apply(Create.of(valid, bowTie, line).withCoder(FeatureCoder.of())).apply(RepairGeometry.create());
    var features = Pipelines.collect(tuple.get(GeometrySteps.FEATURES));
    var rejects = Pipelines.collect(tuple.get(GeometrySteps.REJECTS));
    Pipelines.run(p);

    List<Feature> out = features.get().stream().sorted((a, b) -> Long.compare(a.fid(), b.fid())).toList();
    assertThat(out.stream().map(Feature::fid).toList(), contains(1L, 2L));
    assertThat(out.get(0), is(valid));
    assertThat(out.get(1).geometry().isValid(), is(true));
    assertThat(out.get(1).geometry().getArea(), closeTo(2.0, 1e-12));
    assertThat(out.get(1).value(0), is("fix"));

    assertThat(rejects.get().size(), is(1));
    Reject r = rejects.get().get(0);
    assertThat(r.source(), is(1));
    assertThat(r.fid(), is(-3L));
    assertThat(r.reason(), is(Reject.Reason.INVALID_GEOMETRY));
    assertThat(r.detail(), containsString("collapsing"));
    assertThat(r.wkt(), containsString("POLYGON"));
  }
}
