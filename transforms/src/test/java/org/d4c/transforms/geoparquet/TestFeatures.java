package org.d4c.transforms.geoparquet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureSchema;
import org.d4c.transforms.feature.Field;
import org.d4c.transforms.feature.FieldType;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

/** Tiny fixture shared by the GeoParquet tests: every field type, nulls, accents, an emoji, points and polygons. */
final class TestFeatures {
  static final FeatureSchema SCHEMA = new FeatureSchema(List.of(
      new Field("b", FieldType.BOOLEAN), new Field("i", FieldType.INT32), new Field("l", FieldType.INT64),
      new Field("f", FieldType.FLOAT), new Field("d", FieldType.DOUBLE), new Field("s", FieldType.STRING),
      new Field("dt", FieldType.DATE), new Field("ts", FieldType.TIMESTAMP), new Field("bin", FieldType.BINARY)));

  static final String[] WKT = {
      "POINT (-73.5673 45.5017)",
      "POINT (-71.208 46.8139)",
      // counterclockwise shell, clockwise hole
      "POLYGON ((-75 45, -74 45, -74 46, -75 46, -75 45), (-74.8 45.2, -74.8 45.8, -74.2 45.8, -74.2 45.2, -74.8 45.2))",
      "MULTIPOLYGON (((-80 43, -79 43, -79 44, -80 44, -80 43)), ((-60 47, -59.5 47, -59.5 47.5, -60 47)))",
      "POINT (-123.1 49.28)"};

  static final Object[][] VALUES = {
      {true, 1, 10_000_000_000L, 1.5f, 2.25, "Montréal", LocalDate.of(2024, 7, 1),
          Instant.parse("2024-07-01T12:34:56.123456Z"), new byte[] {0, 1, 2}},
      {false, -2, -3L, -0.5f, 1e-9, "Québec", LocalDate.of(1970, 1, 1), Instant.parse("1969-12-31T23:59:59.5Z"),
          new byte[0]},
      {true, Integer.MAX_VALUE, Long.MIN_VALUE, Float.MAX_VALUE, -1e300, "🍁", LocalDate.of(1900, 2, 28),
          Instant.EPOCH, new byte[] {(byte) 0xff}},
      {null, null, null, null, null, null, null, null, null},
      {false, 0, 0L, 0f, 0.0, "", LocalDate.of(2000, 1, 1), Instant.parse("2000-01-01T00:00:00Z"), null}};

  private TestFeatures() {}

  static Geometry geometry(int i) {
    try {
      return new WKTReader().read(WKT[i]);
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Feature> features() {
    Feature[] out = new Feature[WKT.length];
    for (int i = 0; i < WKT.length; i++) {
      out[i] = new Feature(0, i, geometry(i), VALUES[i].clone());
    }
    return List.of(out);
  }

  static void write(Path file, GeoParquetOptions options) throws IOException {
    try (GeoParquetWriter w = new GeoParquetWriter(file, SCHEMA, options)) {
      for (Feature f : features()) {
        w.write(f);
      }
    }
  }

  static String resource(String name) throws IOException {
    try (InputStream in = TestFeatures.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
