package org.d4c.transforms.write;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.feature.SelectFields;
import org.d4c.transforms.geometry.Crs;
import org.d4c.transforms.geometry.GeometrySteps;
import org.d4c.transforms.geometry.NormalizeGeometry;
import org.d4c.transforms.geometry.RepairGeometry;
import org.d4c.transforms.geometry.Reproject;
import org.d4c.geoparquet.ParquetFooters;
import org.d4c.transforms.geoparquet.GeoParquetOptions;
import org.d4c.transforms.read.OgrFixtures;
import org.d4c.transforms.read.OgrLayerInfo;
import org.d4c.transforms.read.OgrLayers;
import org.d4c.transforms.read.OgrSource;
import org.d4c.transforms.read.ReadOgr;
import org.d4c.transforms.sort.ComputeExtent;
import org.d4c.transforms.sort.HilbertKey;
import org.d4c.transforms.sort.ReadSortedRuns;
import org.d4c.transforms.sort.SortByHilbert;
import org.d4c.transforms.testing.Pipelines;
import org.davidmoten.hilbert.HilbertCurve;
import org.davidmoten.hilbert.SmallHilbertCurve;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;

/**
 * The steps of one output of {@code BuildDataset.compose}, from an OGR layer to GeoParquet files: rows split into
 * files by count, in Hilbert order across files, readable by DuckDB, valid {@code geo} metadata, and the same bytes
 * whatever the parallelism and the read splits.
 */
class WriteGeoParquetIT {
  static final int COUNT = 250;
  static final String NAME = "lieux";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  static Path parts100;
  static List<String> written100;

  @BeforeAll
  static void makeSourceAndWrite() throws IOException {
    Random r = new Random(5);
    StringBuilder json = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (int i = 0; i < COUNT; i++) {
      double x = -141 + 89 * r.nextDouble();
      double y = 41.7 + 41.4 * r.nextDouble();
      String geometry;
      if (i % 25 == 0) {
        // Every 25th a small square: clockwise half of the time (NormalizeGeometry turns it), and one bow tie.
        double d = 0.1;
        String ring = i == 50
            ? coords(x, y, x + d, y + d, x + d, y, x, y + d, x, y)
            : i % 50 == 0 ? coords(x, y, x, y + d, x + d, y + d, x + d, y, x, y)
            : coords(x, y, x + d, y, x + d, y + d, x, y + d, x, y);
        geometry = "{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}";
      } else {
        geometry = String.format(Locale.ROOT, "{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}", x, y);
      }
      json.append(String.format(Locale.ROOT, "{\"type\":\"Feature\",\"id\":%d,\"properties\":{\"n\":%d,"
          + "\"label\":\"lieu n°%d à Québec🍁\",\"v\":%.4f,\"day\":\"2024-07-01\"},\"geometry\":%s}%s\n",
          1000 + i, i, i, r.nextDouble(), geometry, i + 1 < COUNT ? "," : ""));
    }
    Files.writeString(dir.resolve("lieux.geojson"), json.append("]}\n"), StandardCharsets.UTF_8);
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "lieux.gpkg", "lieux.geojson", "-nln", "lieux", "-preserve_fid");

    parts100 = Files.createDirectories(dir.resolve("p1"));
    written100 = build(parts100, 1, 50, 100);
  }

  /** The label of feature n, as the source holds it. */
  static String label(int n) {
    return "lieu n°" + n + " à Québec🍁";
  }

  private static String coords(double... xy) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < xy.length; i += 2) {
      s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "[%.6f,%.6f]", xy[i], xy[i + 1]));
    }
    return s.append("]").toString();
  }

  private static OgrSource source() {
    return new OgrSource(0, "lieux", dir.resolve("lieux.gpkg").toString(), null, null, List.of());
  }

  /** The steps of BuildDataset.compose for one output; returns the files written, sorted. */
  static List<String> build(Path out, int parallelism, long featuresPerSplit, long maxRowsPerFile) {
    return build(out, parallelism, featuresPerSplit, maxRowsPerFile, null);
  }

  /** As above; a non-null {@code known} extent scales the Hilbert curve instead of the data's own extent. */
  static List<String> build(Path out, int parallelism, long featuresPerSplit, long maxRowsPerFile, Envelope known) {
    OgrLayerInfo layer = OgrLayers.describe(source(), featuresPerSplit);
    SelectFields select = SelectFields.of(layer.schema(), List.of("n", "label", "v"), Map.of("label", "nom"));
    GeoParquetOptions parquet = GeoParquetOptions.DEFAULTS.withRowGroupRows(30)
        .withCrsProjJson(Crs.projJsonOrNull(Crs.CRS84));

    Pipeline p = Pipelines.direct("--targetParallelism=" + parallelism);
    PCollectionTuple read = p.apply("Read", ReadOgr.from(layer));
    PCollection<Feature> features = read.get(ReadOgr.FEATURES);
    if (!select.keepsAllInOrder(layer.schema())) {
      features = features.apply("Select fields", select);
    }
    PCollectionTuple reprojected = features.apply("Reproject", Reproject.from(layer.srsWkt(), Crs.CRS84));
    PCollectionTuple repaired = reprojected.get(GeometrySteps.FEATURES).apply("Repair", RepairGeometry.create());
    PCollection<Feature> normal = repaired.get(GeometrySteps.FEATURES).apply("Normalize", NormalizeGeometry.of(false));
    HilbertKey key = known != null ? HilbertKey.within(known)
        : HilbertKey.within(normal.apply("Extent", ComputeExtent.create()));
    PCollection<String> files = normal.apply("Sort key", key)
        .apply("Sort", SortByHilbert.of(NAME, 32))
        .apply("Write", WriteGeoParquet.to(out.toString(), select.outputSchema(), parquet, maxRowsPerFile));
    var written = Pipelines.collect(files);
    var rejects = Pipelines.collect(read.get(ReadOgr.REJECTS));
    Pipelines.run(p);
    assertThat(rejects.get(), is(empty()));
    return written.get().stream().sorted().toList();
  }

  /**
   * The same steps fused into one per split ({@link ReadSortedRuns}, then {@link WriteSortedRuns}), as the build runs
   * them when the layer's extent is known; memoryMb 1 with tiny splits makes many small runs.
   */
  static List<String> buildInOneStep(Path out, int parallelism, long featuresPerSplit, long maxRowsPerFile,
      Envelope known) {
    OgrLayerInfo layer = OgrLayers.describe(source(), featuresPerSplit);
    SelectFields select = SelectFields.of(layer.schema(), List.of("n", "label", "v"), Map.of("label", "nom"));
    GeoParquetOptions parquet = GeoParquetOptions.DEFAULTS.withRowGroupRows(30)
        .withCrsProjJson(Crs.projJsonOrNull(Crs.CRS84));
    Pipeline p = Pipelines.direct("--targetParallelism=" + parallelism);
    PCollectionTuple sorted = p.apply("Read and sort", ReadSortedRuns.of(layer, select, Crs.CRS84, false, known, NAME,
        out.resolveSibling(out.getFileName() + "-runs").toString(), 1));
    var written = Pipelines.collect(sorted.get(ReadSortedRuns.RUNS)
        .apply("Write", WriteSortedRuns.to(out.toString(), select.outputSchema(), parquet, maxRowsPerFile)));
    var rejects = Pipelines.collect(sorted.get(ReadSortedRuns.REJECTS));
    Pipelines.run(p);
    assertThat(rejects.get(), is(empty()));
    return written.get().stream().sorted().toList();
  }

  @Test
  void oneStepPerSplitWritesTheSameBytesAsTheSeparateSteps() throws IOException {
    Envelope known = new Envelope(-141.5, -51.5, 41, 83.5);
    Path separate = Files.createDirectories(dir.resolve("separate"));
    List<String> expected = build(separate, 1, 50, 100, known);
    for (int parallelism : new int[] {1, 4}) {
      Path fused = Files.createDirectories(dir.resolve("fused-" + parallelism));
      List<String> written = buildInOneStep(fused, parallelism, 7, 100, known);
      assertThat(written, equalTo(expected));
      for (String f : expected) {
        assertThat(f, Files.readAllBytes(fused.resolve(f)), equalTo(Files.readAllBytes(separate.resolve(f))));
      }
    }
  }

  /** One row as the source and the steps make it. */
  record Row(long fid, int n, String nom, double v, Geometry geometry) {}

  /** The expected rows, in the expected order: by Hilbert key of the bbox centre, then FID. */
  static List<Row> expectedRows() {
    Map<Long, OgrFixtures.OgrRow> gdal = OgrFixtures.readWithGdal(dir.resolve("lieux.gpkg").toString(), null);
    List<Row> rows = new ArrayList<>();
    Envelope extent = new Envelope();
    for (OgrFixtures.OgrRow g : gdal.values()) {
      Geometry geometry = NormalizeGeometry.normalize(RepairGeometry.repair(g.geometry()), false);
      extent.expandToInclude(geometry.getEnvelopeInternal());
      rows.add(new Row(g.fid(), Integer.parseInt(g.fields().get("n")), g.fields().get("label"),
          Double.parseDouble(g.fields().get("v")), geometry));
    }
    SmallHilbertCurve curve = HilbertCurve.small().bits(HilbertKey.BITS).dimensions(2);
    Map<Long, Long> keys = new HashMap<>();
    rows.forEach(row -> keys.put(row.fid, HilbertKey.key(curve, extent, row.geometry.getEnvelopeInternal())));
    rows.sort(Comparator.<Row>comparingLong(row -> keys.get(row.fid)).thenComparingLong(Row::fid));
    return rows;
  }

  private static Connection duckdb() throws SQLException {
    return DriverManager.getConnection("jdbc:duckdb:");
  }

  private static String sql(Path p) {
    return "'" + p.toString().replace("'", "''") + "'";
  }

  /** The rows of one file in file order, as DuckDB reads them. */
  static List<Row> readRows(Path file) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Connection c = duckdb(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT n, nom, v, geometry FROM read_parquet(" + sql(file)
          + ", file_row_number = true) ORDER BY file_row_number")) {
        while (rs.next()) {
          Geometry g = new org.locationtech.jts.io.WKBReader().read(rs.getBytes(4));
          rows.add(new Row(-1, rs.getInt(1), rs.getString(2), rs.getDouble(3), g));
        }
      }
    }
    return rows;
  }

  private static void assertSameRows(List<Row> got, List<Row> expected) {
    assertThat("row count", got.size(), is(expected.size()));
    for (int i = 0; i < got.size(); i++) {
      Row g = got.get(i);
      Row e = expected.get(i);
      assertThat("row " + i, g.n, is(e.n));
      assertThat("row " + i, g.nom.getBytes(StandardCharsets.UTF_8), equalTo(e.nom.getBytes(StandardCharsets.UTF_8)));
      assertThat("row " + i, g.nom, is(label(e.n)));
      assertThat("row " + i, g.v, is(e.v));
      assertThat("row " + i + " geometry " + g.geometry, g.geometry.equalsExact(e.geometry), is(true));
      assertThat("row " + i + " WKB", FeatureCoder.toWkb(g.geometry), equalTo(FeatureCoder.toWkb(e.geometry)));
    }
  }

  @Test
  void rowsAreSplitIntoNumberedPartsOfAtMostMaxRows() throws Exception {
    assertThat(written100, contains(NAME + "/part-00000.parquet", NAME + "/part-00001.parquet",
        NAME + "/part-00002.parquet"));
    try (Stream<Path> s = Files.list(parts100)) {
      assertThat(s.map(f -> f.getFileName().toString()).toList(), contains(NAME)); // no NAME.parquet, no leftovers
    }
    List<Integer> counts = new ArrayList<>();
    for (String f : written100) {
      counts.add(readRows(parts100.resolve(f)).size());
    }
    assertThat(counts, contains(100, 100, 50));
  }

  @Test
  void rowsFollowTheHilbertOrderWithinAndAcrossFiles() throws Exception {
    List<Row> all = new ArrayList<>();
    for (String f : written100) {
      all.addAll(readRows(parts100.resolve(f)));
    }
    // Values, geometries (repaired, counterclockwise) and their order: part 0 holds the first 100 of the curve.
    assertSameRows(all, expectedRows());
  }

  @Test
  void duckDbReadsAllPartsAsTheSource() throws Exception {
    List<Row> expected = expectedRows();
    Map<Integer, Row> byN = new HashMap<>();
    expected.forEach(r -> byN.put(r.n, r));
    try (Connection c = duckdb(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT n), min(n), max(n), sum(v)"
            + " FROM read_parquet(" + sql(parts100.resolve(NAME).resolve("*.parquet")) + ")")) {
      rs.next();
      assertThat(rs.getLong(1), is((long) COUNT));
      assertThat(rs.getLong(2), is((long) COUNT));
      assertThat(rs.getInt(3), is(0));
      assertThat(rs.getInt(4), is(COUNT - 1));
      assertThat(rs.getDouble(5), org.hamcrest.Matchers.closeTo(expected.stream().mapToDouble(Row::v).sum(), 1e-9));
    }
    try (Connection c = duckdb(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT n, nom, bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax FROM read_parquet("
            + sql(parts100.resolve(NAME).resolve("*.parquet")) + ") WHERE nom LIKE '%à Québec🍁'")) {
      int rows = 0;
      while (rs.next()) {
        Row e = byN.get(rs.getInt(1));
        assertThat(rs.getString(2), is(e.nom));
        Envelope env = e.geometry.getEnvelopeInternal();
        assertThat(new double[] {rs.getDouble(3), rs.getDouble(4), rs.getDouble(5), rs.getDouble(6)},
            equalTo(new double[] {env.getMinX(), env.getMinY(), env.getMaxX(), env.getMaxY()}));
        rows++;
      }
      assertThat("a UTF-8 LIKE finds every row", rows, is(COUNT));
    }
  }

  @Test
  void geoMetadataOfEveryPartIsValidGeoParquet11() throws Exception {
    JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7, b -> b.schemaMappers(
        m -> m.mapPrefix("https://proj.org/schemas/v0.7/projjson.schema.json",
            "classpath:specs/projjson-v0.7.schema.json")))
        .getSchema(SchemaLocation.of("classpath:specs/geoparquet-1.1.0/schema.json"));
    for (String f : written100) {
      Path file = parts100.resolve(f);
      JsonNode geo = JSON.readTree(ParquetFooters.geoMetadata(file));
      assertThat(f, schema.validate(geo), is(empty()));
      JsonNode col = geo.path("columns").path("geometry");
      assertThat(col.path("encoding").asText(), is("WKB"));
      assertThat(col.has("crs"), is(false)); // OGC:CRS84 is implicit
      // The bbox of each file covers exactly its own rows.
      Envelope rows = new Envelope();
      readRows(file).forEach(r -> rows.expandToInclude(r.geometry.getEnvelopeInternal()));
      List<Double> bbox = new ArrayList<>();
      col.path("bbox").forEach(n -> bbox.add(n.asDouble()));
      assertThat(f, bbox, contains(rows.getMinX(), rows.getMinY(), rows.getMaxX(), rows.getMaxY()));
    }
  }

  @Test
  void oneFileWhenEverythingFitsAndTheSameRows() throws Exception {
    Path out = Files.createDirectories(dir.resolve("single"));
    List<String> written = build(out, 2, 1000, 1_000_000);
    assertThat(written, contains(NAME + ".parquet"));
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(f -> f.getFileName().toString()).toList(), contains(NAME + ".parquet")); // no empty folder
    }
    assertSameRows(readRows(out.resolve(NAME + ".parquet")), expectedRows());
  }

  @Test
  void sameBytesWhateverTheParallelismAndTheSplits() throws Exception {
    Path other = Files.createDirectories(dir.resolve("p4"));
    List<String> written = build(other, 4, 13, 100);
    assertThat(written, is(written100));
    for (String f : written100) {
      byte[] a = Files.readAllBytes(parts100.resolve(f));
      byte[] b = Files.readAllBytes(other.resolve(f));
      assertThat(f + " is byte for byte the same", java.util.Arrays.equals(a, b), is(true));
    }
  }
}
