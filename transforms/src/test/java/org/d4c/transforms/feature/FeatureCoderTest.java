package org.d4c.transforms.feature;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKTReader;

class FeatureCoderTest {
  private static final FeatureCoder CODER = FeatureCoder.of();

  static Geometry wkt(String text) {
    try {
      return new WKTReader().read(text);
    } catch (org.locationtech.jts.io.ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static final String DONUT =
      "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2), (6 6, 6 8, 8 8, 8 6, 6 6))";

  /** One value of every type the coder knows, and the corner cases of each. */
  private static Object[] everyValue() {
    return new Object[] {
        null, true, false, 0, Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, Long.MIN_VALUE, Long.MAX_VALUE,
        1.5f, Float.NaN, -0.0f, 2.25, Double.NaN, -0.0, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
        "", "Québec🍁", "Iqaluit ᐃᖃᓗᐃᑦ",
        LocalDate.of(2024, 7, 1), LocalDate.of(1, 1, 1), LocalDate.of(1969, 12, 31),
        Instant.parse("2024-07-01T12:34:56.123456Z"), Instant.parse("1969-12-31T23:59:59.999999Z"),
        Instant.ofEpochSecond(0, 1),
        new byte[0], new byte[] {0, (byte) 0xff, 0x7f, (byte) 0x80}};
  }

  private static Feature roundTrip(Feature f) throws CoderException {
    return CoderUtils.decodeFromByteArray(CODER, CoderUtils.encodeToByteArray(CODER, f));
  }

  @Test
  void everyValueTypeSurvivesTheRoundTrip() throws Exception {
    Object[] values = everyValue();
    Feature f = new Feature(3, -42L, wkt(DONUT), values, 0xFFFF_FFFFL);
    Feature back = roundTrip(f);

    assertThat(back, equalTo(f));
    assertThat(back.source(), is(3));
    assertThat(back.fid(), is(-42L));
    assertThat(back.sortKey(), is(0xFFFF_FFFFL));
    assertThat(back.valueCount(), is(values.length));
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      Object got = back.value(i);
      if (v == null) {
        assertThat("value " + i, got, nullValue());
      } else {
        // Same Java type, not only an equal number (Integer 0 must not come back as Long 0).
        assertThat("type of value " + i, got, instanceOf(v.getClass()));
      }
    }
    // Float and double bits, so -0.0 is not 0.0 and NaN stays NaN.
    assertThat(Float.floatToRawIntBits((Float) back.value(11)), is(Float.floatToRawIntBits(-0.0f)));
    assertThat(Double.doubleToRawLongBits((Double) back.value(14)), is(Double.doubleToRawLongBits(-0.0)));
    assertThat(((Double) back.value(13)).isNaN(), is(true));
    assertThat(((Float) back.value(10)).isNaN(), is(true));
    assertThat(((String) back.value(18)).getBytes(StandardCharsets.UTF_8),
        equalTo("Québec🍁".getBytes(StandardCharsets.UTF_8)));
    assertThat(back.value(23), equalTo(Instant.parse("2024-07-01T12:34:56.123456Z")));
    assertThat(((Instant) back.value(23)).getNano(), is(123_456_000));
    assertThat(back.value(25), equalTo(Instant.ofEpochSecond(0, 1)));
    assertThat(back.value(21), equalTo(LocalDate.of(1, 1, 1)));
  }

  /** Pivot cells: keys repeated or not, long keys and value indexes (multi-byte lengths), text at the 255-byte edge. */
  @Test
  void pivotCellsSurviveTheRoundTrip() throws Exception {
    String longKey = "k".repeat(300);
    String[] keys = {"1", "1", "1", "10", longKey, longKey, "é", "1", "1"};
    int[] idx = {0, 1, 2, 0, 0, 200, 5, 0, 70_000};
    Object[] vals = {"12", null, "x".repeat(255), "y".repeat(256), 7L, 2.5, "Québec🍁", 3, new byte[] {1, 2}};
    org.d4c.transforms.table.PivotCells cells = new org.d4c.transforms.table.PivotCells(keys, idx, vals);
    Feature back = roundTrip(new Feature(1, 2, null, new Object[] {"G1", cells, "z".repeat(1000)}));
    org.d4c.transforms.table.PivotCells got = (org.d4c.transforms.table.PivotCells) back.value(1);
    assertThat(got.size(), is(keys.length));
    for (int i = 0; i < keys.length; i++) {
      assertThat(got.key(i), is(keys[i]));
      assertThat(got.valueIndex(i), is(idx[i]));
    }
    assertThat(got, is(cells));
    assertThat(back.value(2), is("z".repeat(1000)));
  }

  @Test
  void zeroAndMinusZeroAreDifferentFeatures() throws Exception {
    // Features are compared bit for bit: a coder that normalised -0.0 would make this pass wrongly.
    Feature plus = new Feature(0, 1, wkt("POINT (1 2)"), new Object[] {0.0});
    Feature minus = new Feature(0, 1, wkt("POINT (1 2)"), new Object[] {-0.0});
    assertThat(roundTrip(minus), not(equalTo(plus)));
    assertThat(CoderUtils.encodeToByteArray(CODER, minus), not(equalTo(CoderUtils.encodeToByteArray(CODER, plus))));
  }

  @Test
  void polygonWithHolesKeepsEveryRingAndCoordinate() throws Exception {
    Geometry donut = wkt(DONUT);
    Feature back = roundTrip(new Feature(0, 7, donut, new Object[0]));
    assertThat(back.geometry(), instanceOf(Polygon.class));
    assertThat(((Polygon) back.geometry()).getNumInteriorRing(), is(2));
    assertThat(back.geometry().equalsExact(donut), is(true));
    assertThat(back.geometry().getArea(), is(100.0 - 4 - 4));
  }

  @Test
  void multiAndCollectionGeometriesSurvive() throws Exception {
    for (String text : new String[] {
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.2 5.1, 5.8 5.7, 5.8 5.1, 5.2 5.1)))",
        "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3, 4 2))",
        "MULTIPOINT ((1 2), (3 4))",
        "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))",
        "POINT (-73.5673 45.5017)"}) {
      Geometry g = wkt(text);
      assertThat(text, roundTrip(new Feature(0, 1, g, new Object[0])).geometry().equalsExact(g), is(true));
    }
  }

  @Test
  void nullGeometryAndNoValuesSurvive() throws Exception {
    Feature f = new Feature(0, 0, null, new Object[0]);
    Feature back = roundTrip(f);
    assertThat(back.geometry(), nullValue());
    assertThat(back.valueCount(), is(0));
    assertThat(back, equalTo(f));
  }

  @Test
  void encodingIsDeterministic() throws Exception {
    Feature a = new Feature(1, 99, wkt(DONUT), everyValue(), 12345);
    Feature b = new Feature(1, 99, wkt(DONUT), everyValue(), 12345); // equal, but made separately
    byte[] first = CoderUtils.encodeToByteArray(CODER, a);
    assertThat(CoderUtils.encodeToByteArray(CODER, a), equalTo(first));
    assertThat(CoderUtils.encodeToByteArray(CODER, b), equalTo(first));
    // Decoding and encoding again gives the same bytes: no state hides in the objects.
    assertThat(CoderUtils.encodeToByteArray(CODER, roundTrip(a)), equalTo(first));
    assertDoesNotThrow(() -> CODER.verifyDeterministic());
  }

  @Test
  void differentFeaturesEncodeDifferently() throws Exception {
    Feature base = new Feature(1, 2, wkt("POINT (1 2)"), new Object[] {1}, 3);
    byte[] b = CoderUtils.encodeToByteArray(CODER, base);
    assertThat(CoderUtils.encodeToByteArray(CODER, new Feature(1, 2, wkt("POINT (1 2)"), new Object[] {1L}, 3)),
        not(equalTo(b)));
    assertThat(CoderUtils.encodeToByteArray(CODER, base.withSortKey(4)), not(equalTo(b)));
    assertThat(CoderUtils.encodeToByteArray(CODER, base.withGeometry(wkt("POINT (1 2.000001)"))), not(equalTo(b)));
  }

  @Test
  void unsupportedValueTypeIsACoderErrorNamingTheType() {
    Feature f = new Feature(0, 1, wkt("POINT (0 0)"), new Object[] {new BigDecimal("1.5")});
    CoderException e = assertThrows(CoderException.class, () -> CoderUtils.encodeToByteArray(CODER, f));
    assertThat(e.getMessage(), containsString("java.math.BigDecimal"));
  }

  @Test
  void coderSurvivesJavaSerialization() throws Exception {
    // Beam ships coders to workers by Java serialization.
    FeatureCoder copy = SerializableUtils.clone(CODER);
    Feature f = new Feature(0, 5, wkt(DONUT), everyValue());
    assertThat(CoderUtils.encodeToByteArray(copy, f), equalTo(CoderUtils.encodeToByteArray(CODER, f)));
  }
}
