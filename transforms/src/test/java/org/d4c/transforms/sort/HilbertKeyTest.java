package org.d4c.transforms.sort;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.testing.Pipelines;
import org.davidmoten.hilbert.HilbertCurve;
import org.davidmoten.hilbert.SmallHilbertCurve;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;

class HilbertKeyTest {
  private static final SmallHilbertCurve CURVE = HilbertCurve.small().bits(HilbertKey.BITS).dimensions(2);
  private static final long N = 1L << (2 * HilbertKey.BITS); // number of cells
  private static final Envelope CANADA = new Envelope(-141, -52, 41.7, 83.1);

  private static long key(double x, double y) {
    return HilbertKey.key(CURVE, CANADA, new Envelope(x, x, y, y));
  }

  @Test
  void keysStayWithinTheCurve() {
    Random r = new Random(1);
    for (int i = 0; i < 10_000; i++) {
      // Also points outside the extent: they are clamped onto its border.
      double x = -200 + 400 * r.nextDouble();
      double y = -100 + 200 * r.nextDouble();
      assertThat(key(x, y), allOf(greaterThanOrEqualTo(0L), lessThan(N)));
    }
    assertThat(N, is(1L << 32));
  }

  @Test
  void cornersMapToTheEndsAndMiddleQuartersOfTheCurve() {
    long lowerLeft = key(CANADA.getMinX(), CANADA.getMinY());
    long lowerRight = key(CANADA.getMaxX(), CANADA.getMinY());
    long upperLeft = key(CANADA.getMinX(), CANADA.getMaxY());
    long upperRight = key(CANADA.getMaxX(), CANADA.getMaxY());
    // A Hilbert curve starts in one corner and ends in a neighbouring one; the other two corners are the far ends
    // of the second and third quarters.
    assertThat(lowerLeft, is(0L));
    boolean endsRight = lowerRight == N - 1;
    assertThat("the curve ends in the lower right or upper left corner", endsRight || upperLeft == N - 1, is(true));
    long second = endsRight ? upperLeft : lowerRight;
    assertThat(second, allOf(greaterThanOrEqualTo(N / 4), lessThan(N / 2)));
    assertThat(upperRight, allOf(greaterThanOrEqualTo(N / 2), lessThan(3 * N / 4)));
  }

  @Test
  void keyIsTheCellOfTheBoxCentre() {
    Envelope unit = new Envelope(0, 65535, 0, 65535); // one cell per unit
    assertThat(HilbertKey.key(CURVE, unit, new Envelope(10, 20, 30, 40)), is(CURVE.index(15, 35)));
    assertThat(HilbertKey.key(CURVE, unit, new Envelope(65535, 65535, 0, 0)), is(CURVE.index(65535, 0)));
  }

  @Test
  void degenerateExtentGivesZero() {
    Envelope point = new Envelope(-73.5, -73.5, 45.5, 45.5);
    assertThat(HilbertKey.key(CURVE, point, new Envelope(-73.5, -73.5, 45.5, 45.5)), is(0L));
    assertThat(HilbertKey.key(CURVE, new Envelope(), new Envelope(1, 2, 3, 4)), is(0L)); // the empty extent
  }

  @Test
  void extentFlatInOneAxisStillOrdersTheOther() {
    Envelope vertical = new Envelope(5, 5, 0, 100);
    long low = HilbertKey.key(CURVE, vertical, new Envelope(5, 5, 1, 1));
    long high = HilbertKey.key(CURVE, vertical, new Envelope(5, 5, 99, 99));
    assertThat(low == high, is(false));
    assertThat(low, allOf(greaterThanOrEqualTo(0L), lessThan(N)));
  }

  @Test
  void nearbyPointsGetCloserKeysThanFarOnes() {
    Random r = new Random(42);
    double near = 0;
    double far = 0;
    int n = 2_000;
    for (int i = 0; i < n; i++) {
      double x = CANADA.getMinX() + CANADA.getWidth() * r.nextDouble();
      double y = CANADA.getMinY() + CANADA.getHeight() * r.nextDouble();
      // A neighbour 0.1 % of the extent away, and a random point anywhere.
      double nx = Math.min(CANADA.getMaxX(), x + CANADA.getWidth() * 0.001);
      double ny = Math.min(CANADA.getMaxY(), y + CANADA.getHeight() * 0.001);
      double fx = CANADA.getMinX() + CANADA.getWidth() * r.nextDouble();
      double fy = CANADA.getMinY() + CANADA.getHeight() * r.nextDouble();
      near += Math.log1p(Math.abs(key(x, y) - key(nx, ny)));
      far += Math.log1p(Math.abs(key(x, y) - key(fx, fy)));
    }
    // Averaged on a log scale, so the rare neighbours across a quadrant boundary do not decide.
    assertThat("mean log key distance of neighbours vs random pairs", near / n, lessThan(far / n - 5));
  }

  private static Feature feature(long key, int source, long fid) {
    return new Feature(source, fid, new GeometryFactory().createPoint(new Coordinate(0, 0)), new Object[0], key);
  }

  private static final Comparator<Feature> INTENDED = Comparator.comparingLong(Feature::sortKey)
      .thenComparingInt(Feature::source).thenComparingLong(Feature::fid);

  @Test
  void sortKeyBytesOrderLikeKeySourceFid() {
    List<Feature> features = new ArrayList<>();
    long[] keys = {0, 1, 255, 256, N - 1, 1L << 31, (1L << 31) - 1};
    int[] sources = {0, 1, 2, 255, 256};
    long[] fids = {Long.MIN_VALUE, -256, -255, -1, 0, 1, 255, 256, Integer.MAX_VALUE + 1L, Long.MAX_VALUE};
    for (long k : keys) {
      for (int s : sources) {
        for (long f : fids) {
          features.add(feature(k, s, f));
        }
      }
    }
    java.util.Collections.shuffle(features, new Random(7));
    List<Feature> byBytes = new ArrayList<>(features);
    byBytes.sort((a, b) -> Arrays.compareUnsigned(SortByHilbert.sortKey(a), SortByHilbert.sortKey(b)));
    List<Feature> intended = new ArrayList<>(features);
    intended.sort(INTENDED);
    assertThat(byBytes, is(intended));
  }

  @Test
  void sortKeyIsUniquePerKeySourceFid() {
    assertThat(Arrays.equals(SortByHilbert.sortKey(feature(1, 0, -1)), SortByHilbert.sortKey(feature(1, 0, 1))),
        is(false));
    assertThat(SortByHilbert.sortKey(feature(1, 0, 1)).length, is(20));
  }

  @Test
  void pipelineSortsByKeyThenSourceThenFid() {
    Pipeline p = Pipelines.direct("--targetParallelism=3");
    GeometryFactory gf = new GeometryFactory();
    List<Feature> in = new ArrayList<>();
    Random r = new Random(3);
    for (int i = 0; i < 300; i++) {
      // Few distinct places, so many features share a key and the tie-breakers matter.
      double x = -141 + r.nextInt(4) * 29.6;
      double y = 41.7 + r.nextInt(3) * 20.7;
      in.add(new Feature(r.nextInt(2), r.nextInt(400) - 200, gf.createPoint(new Coordinate(x, y)), new Object[0]));
    }
    PCollection<Feature> features = p.apply(Create.of(in).withCoder(FeatureCoder.of()));
    var sorted = Pipelines.collect(features.apply(HilbertKey.within(features.apply(ComputeExtent.create())))
        .apply(SortByHilbert.of("out", 16)));
    Pipelines.run(p);

    assertThat(sorted.get().size(), is(1));
    assertThat(sorted.get().get(0).getKey(), is("out"));
    List<Feature> got = new ArrayList<>();
    sorted.get().get(0).getValue().forEach(kv -> got.add(kv.getValue()));
    Envelope extent = new Envelope();
    in.forEach(f -> extent.expandToInclude(f.geometry().getEnvelopeInternal()));
    List<Feature> expected = new ArrayList<>();
    in.forEach(f -> expected.add(f.withSortKey(HilbertKey.key(CURVE, extent, f.geometry().getEnvelopeInternal()))));
    expected.sort(INTENDED);
    assertThat(got, contains(expected.toArray()));
  }
}
