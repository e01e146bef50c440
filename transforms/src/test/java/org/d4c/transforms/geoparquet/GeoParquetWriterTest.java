package org.d4c.transforms.geoparquet;

import org.d4c.geoparquet.ParquetFooters;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.parquet.column.statistics.geospatial.GeospatialStatistics;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.d4c.transforms.feature.Feature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.io.ByteOrderValues;
import org.locationtech.jts.io.WKBWriter;

class GeoParquetWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static Connection duckdb() throws SQLException {
    return DriverManager.getConnection("jdbc:duckdb:");
  }

  private static String sqlPath(Path p) {
    return "'" + p.toString().replace("'", "''") + "'";
  }

  @Test
  void duckDbReadsEveryValueGeometryAndBbox() throws Exception {
    Path file = dir.resolve("a.parquet");
    TestFeatures.write(file, GeoParquetOptions.DEFAULTS);
    WKBWriter wkb = new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN);
    try (Connection c = duckdb(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT b, i, l, f, d, s, CAST(dt AS VARCHAR), epoch_us(ts), bin, geometry,"
            + " bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax FROM read_parquet(" + sqlPath(file) + ")")) {
      int row = 0;
      while (rs.next()) {
        Object[] v = TestFeatures.VALUES[row];
        assertValue(rs, 1, v[0], rs.getBoolean(1));
        assertValue(rs, 2, v[1], rs.getInt(2));
        assertValue(rs, 3, v[2], rs.getLong(3));
        assertValue(rs, 4, v[3], rs.getFloat(4));
        assertValue(rs, 5, v[4], rs.getDouble(5));
        assertValue(rs, 6, v[5], rs.getString(6));
        assertValue(rs, 7, v[6] == null ? null : v[6].toString(), rs.getString(7));
        Instant ts = (Instant) v[7];
        assertValue(rs, 8, ts == null ? null : ts.getEpochSecond() * 1_000_000L + ts.getNano() / 1000, rs.getLong(8));
        assertThat(rs.getBytes(9), equalTo(v[8]));
        assertThat(rs.getBytes(10), equalTo(wkb.write(TestFeatures.geometry(row))));
        Envelope e = TestFeatures.geometry(row).getEnvelopeInternal();
        assertThat(new double[] {rs.getDouble(11), rs.getDouble(12), rs.getDouble(13), rs.getDouble(14)},
            equalTo(new double[] {e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY()}));
        row++;
      }
      assertThat(row, is(TestFeatures.WKT.length));
    }
  }

  private static void assertValue(ResultSet rs, int column, Object expected, Object actual) throws SQLException {
    assertThat("column " + column, rs.wasNull() ? null : actual, equalTo(expected));
  }

  @Test
  void stringsAreExactUtf8() throws Exception {
    Path file = dir.resolve("s.parquet");
    TestFeatures.write(file, GeoParquetOptions.DEFAULTS);
    try (Connection c = duckdb(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT hex(encode(s)) FROM read_parquet(" + sqlPath(file) + ") LIMIT 3")) {
      List<String> hex = new ArrayList<>();
      while (rs.next()) {
        hex.add(rs.getString(1));
      }
      assertThat(hex, contains("4D6F6E7472C3A9616C", "5175C3A9626563", "F09F8D81"));
    }
  }

  @Test
  void footerHasGeoZstdAndRowGroups() throws Exception {
    Path file = dir.resolve("b.parquet");
    TestFeatures.write(file, GeoParquetOptions.DEFAULTS.withRowGroupRows(2));
    try (Connection c = duckdb(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT decode(value) FROM parquet_kv_metadata(" + sqlPath(file)
          + ") WHERE decode(key) = 'geo'")) {
        assertThat(rs.next(), is(true));
        assertThat(rs.getString(1), equalTo(ParquetFooters.geoMetadata(file)));
      }
      try (ResultSet rs = st.executeQuery("SELECT count(DISTINCT row_group_id), string_agg(DISTINCT compression),"
          + " sum(row_group_num_rows) FILTER (WHERE column_id = 0) FROM parquet_metadata(" + sqlPath(file) + ")")) {
        rs.next();
        assertThat(rs.getInt(1), is(3)); // 5 rows, 2 per group
        assertThat(rs.getString(2), equalTo("ZSTD"));
        assertThat(rs.getLong(3), is(5L));
      }
    }
    ParquetMetadata footer = ParquetFooters.read(file);
    assertThat(footer.getBlocks().size(), is(3));
    assertThat(footer.getFileMetaData().getKeyValueMetaData().get("writer.model.name"), equalTo("d4c"));
  }

  @Test
  void geoMetadataDescribesTheData() throws Exception {
    Path file = dir.resolve("c.parquet");
    TestFeatures.write(file, GeoParquetOptions.DEFAULTS);
    String geo = ParquetFooters.geoMetadata(file);
    assertThat(geo, equalTo("{\"version\":\"1.1.0\",\"primary_column\":\"geometry\",\"columns\":{\"geometry\":{"
        + "\"encoding\":\"WKB\",\"geometry_types\":[\"MultiPolygon\",\"Point\",\"Polygon\"],"
        + "\"bbox\":[-123.1,43.0,-59.5,49.28],"
        + "\"covering\":{\"bbox\":{\"xmin\":[\"bbox\",\"xmin\"],\"ymin\":[\"bbox\",\"ymin\"],"
        + "\"xmax\":[\"bbox\",\"xmax\"],\"ymax\":[\"bbox\",\"ymax\"]}},"
        + "\"orientation\":\"counterclockwise\"}}}"));
  }

  @Test
  void projectedCrsIsEmbeddedAndOrientationOptional() throws Exception {
    Path file = dir.resolve("d.parquet");
    String projjson = TestFeatures.resource("/projjson/epsg-3347.json");
    TestFeatures.write(file, GeoParquetOptions.DEFAULTS.withCrsProjJson(projjson).withOrientationCounterclockwise(false));
    JsonNode col = JSON.readTree(ParquetFooters.geoMetadata(file)).path("columns").path("geometry");
    assertThat(col.get("crs"), equalTo(JSON.readTree(projjson)));
    assertThat(col.get("orientation"), nullValue());
  }

  @Test
  void sameFeaturesGiveIdenticalBytes() throws Exception {
    String projjson = TestFeatures.resource("/projjson/epsg-3347.json");
    for (GeoParquetOptions o : List.of(GeoParquetOptions.DEFAULTS.withRowGroupRows(2),
        GeoParquetOptions.DEFAULTS.withNativeGeometryType(true).withCrsProjJson(projjson))) {
      Path a = dir.resolve("x1.parquet");
      Path b = dir.resolve("x2.parquet");
      TestFeatures.write(a, o);
      Thread.sleep(5); // a clock in the file would now differ
      TestFeatures.write(b, o);
      assertThat(sha256(b), equalTo(sha256(a)));
    }
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void nativeGeometryTypeIsReadableAndAnnotated() throws Exception {
    Path file = dir.resolve("n.parquet");
    TestFeatures.write(file, GeoParquetOptions.DEFAULTS.withNativeGeometryType(true));
    ParquetMetadata footer = ParquetFooters.read(file);
    assertThat(footer.getFileMetaData().getSchema().getType("geometry").getLogicalTypeAnnotation(),
        equalTo(LogicalTypeAnnotation.geometryType("OGC:CRS84")));
    // parquet-java adds native geospatial statistics to the geometry column chunk
    GeospatialStatistics stats = footer.getBlocks().get(0).getColumns().get(TestFeatures.SCHEMA.size())
        .getGeospatialStatistics();
    assertThat(stats.getBoundingBox().getXMin(), is(-123.1));
    assertThat(stats.getBoundingBox().getYMax(), is(49.28));
    assertThat(stats.getGeospatialTypes().getTypes(), containsInAnyOrder(1, 3, 6));
    WKBWriter wkb = new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN);
    try (Connection c = duckdb(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT logical_type FROM parquet_schema(" + sqlPath(file)
          + ") WHERE name = 'geometry'")) {
        rs.next();
        assertThat(rs.getString(1), containsString("Geometry"));
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*), min(bbox.xmin), first(geometry) FROM read_parquet("
          + sqlPath(file) + ")")) {
        rs.next();
        assertThat(rs.getInt(1), is(5));
        assertThat(rs.getDouble(2), is(-123.1));
        assertThat(rs.getBytes(3), equalTo(wkb.write(TestFeatures.geometry(0))));
      }
    }
  }

  @Test
  void nativeGeometryTypeUsesTheProjJsonId() throws Exception {
    Path file = dir.resolve("p.parquet");
    TestFeatures.write(file, GeoParquetOptions.DEFAULTS.withNativeGeometryType(true)
        .withCrsProjJson(TestFeatures.resource("/projjson/epsg-3347.json")));
    MessageType schema = ParquetFooters.read(file).getFileMetaData().getSchema();
    assertThat(schema.getType("geometry").getLogicalTypeAnnotation(),
        equalTo(LogicalTypeAnnotation.geometryType("EPSG:3347")));
  }

  @Test
  void rejectsBadInput() throws Exception {
    Path file = dir.resolve("e.parquet");
    assertThrows(IllegalArgumentException.class,
        () -> new GeoParquetWriter(file, TestFeatures.SCHEMA, GeoParquetOptions.DEFAULTS.withCrsProjJson("[1]")));
    assertThrows(IllegalArgumentException.class, () -> GeoParquetOptions.DEFAULTS.withRowGroupRows(0));
    try (GeoParquetWriter w = new GeoParquetWriter(file, TestFeatures.SCHEMA, GeoParquetOptions.DEFAULTS)) {
      Object[] wrong = TestFeatures.VALUES[0].clone();
      wrong[1] = 1L; // INT32 field given a Long
      Exception e = assertThrows(IllegalArgumentException.class,
          () -> w.write(new Feature(0, 0, TestFeatures.geometry(0), wrong)));
      assertThat(e.getMessage(), containsString("'i'"));
      w.write(TestFeatures.features().get(0));
      assertThat(w.rows(), is(1L));
    }
    assertThat(ParquetFooters.geoMetadata(file), not(nullValue()));
    assertThat(ParquetFooters.read(file).getBlocks().get(0).getRowCount(), is(1L));
  }

  @Test
  void emptyFileHasNoBbox() throws Exception {
    Path file = dir.resolve("empty.parquet");
    new GeoParquetWriter(file, TestFeatures.SCHEMA, GeoParquetOptions.DEFAULTS).close();
    JsonNode col = JSON.readTree(ParquetFooters.geoMetadata(file)).path("columns").path("geometry");
    assertThat(col.get("bbox"), nullValue());
    assertThat(col.get("geometry_types").size(), is(0));
    assertThat(col.get("covering"), notNullValue());
  }
}
