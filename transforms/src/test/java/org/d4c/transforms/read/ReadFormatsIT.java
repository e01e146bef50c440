package org.d4c.transforms.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.Field;
import org.d4c.transforms.feature.FieldType;
import org.d4c.transforms.geometry.NormalizeGeometry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKTReader;

/**
 * One small GeoJSON ({@code read/places.geojson}) turned by ogr2ogr into every format d4c promises to read, then read
 * with {@link OgrLayers#describe} and {@link ReadOgr}: the features must be what GDAL itself reads, and what each
 * format can keep of the original must be kept.
 */
class ReadFormatsIT {
  @TempDir
  static Path dir;

  /** The truth: what places.geojson holds. */
  record Place(int id, long big, Double score, String name, LocalDate day, Instant seen, String wkt) {
    Geometry geometry() {
      try {
        return new WKTReader().read(wkt);
      } catch (org.locationtech.jts.io.ParseException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final List<Place> PLACES = List.of(
      new Place(1, 10_000_000_000L, 3.25, "Montréal", LocalDate.of(2024, 7, 1),
          Instant.parse("2024-07-01T12:34:56.789Z"), "POINT (-73.5673 45.5017)"),
      new Place(2, -20_000_000_000L, -0.5, "Québec", LocalDate.of(1970, 1, 1),
          Instant.parse("2024-01-15T13:00:00Z"), "POINT (-71.208 46.8139)"), // 08:00-05:00 in the file
      new Place(3, 3, 0.001, "Iqaluit ᐃᖃᓗᐃᑦ", LocalDate.of(1999, 12, 31),
          Instant.parse("1999-12-31T23:59:59Z"), "POINT (-68.5167 63.7467)"),
      new Place(4, 4, 12.5, "Ottawa", LocalDate.of(2000, 2, 29), Instant.parse("2000-02-29T00:00:00Z"),
          "POLYGON ((-76 45, -75 45, -75 46, -76 46, -76 45), (-75.8 45.2, -75.8 45.8, -75.2 45.8, -75.2 45.2, -75.8 45.2))"),
      new Place(5, 5, null, "Toronto", LocalDate.of(2024, 3, 10), Instant.parse("2024-03-10T10:00:00Z"),
          "POLYGON ((-79.6 43.6, -79.2 43.6, -79.2 43.85, -79.6 43.85, -79.6 43.6))"),
      new Place(6, 6, 0.1, "Whitehorse", LocalDate.of(2023, 11, 5), Instant.parse("2023-11-05T16:30:00Z"),
          "POLYGON ((-135.2 60.6, -134.9 60.6, -135.05 60.8, -135.2 60.6))"));

  static final List<Integer> ALL = List.of(1, 2, 3, 4, 5, 6);
  static final List<Integer> POINTS = List.of(1, 2, 3);
  static final List<Integer> POLYGONS = List.of(4, 5, 6);

  /**
   * A format as ogr2ogr wrote it, and what reading it must give.
   *
   * @param path dataset name relative to the fixture folder; "/vsizip/" prefixes are resolved against it
   * @param fields the schema describe must report
   * @param values the field values expected for a place
   * @param fid the FID expected for a place, or null when the format decides (FlatGeobuf reorders spatially)
   * @param promote the format turns polygons into multipolygons
   * @param keepsOrientation the format keeps ring order as written (Shapefile and FileGDB store clockwise shells)
   */
  record Format(String name, String driver, String path, String layer, List<Integer> places, List<Field> fields,
      Function<Place, List<Object>> values, ToLongFunction<Place> fid, boolean promote, boolean keepsOrientation,
      double tolerance) {
    String datasetName() {
      return path.startsWith("/vsizip/") ? "/vsizip/" + dir.resolve(path.substring(8)) : dir.resolve(path).toString();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Field f(String name, FieldType type) {
    return new Field(name, type);
  }

  private static final List<Field> GEOJSON_FIELDS = List.of(f("id", FieldType.INT32), f("big", FieldType.INT64),
      f("score", FieldType.DOUBLE), f("name", FieldType.STRING), f("day", FieldType.DATE),
      f("seen", FieldType.TIMESTAMP));

  private static List<Object> list(Object... v) {
    return java.util.Arrays.asList(v);
  }

  private static Instant midnight(LocalDate d) {
    return d.atStartOfDay().toInstant(java.time.ZoneOffset.UTC);
  }

  /** OGR's own text for a real, as the CSV driver writes it (%.15g); CSV cannot tell null from empty. */
  private static String text(Double d) {
    return d == null ? "" : new java.math.BigDecimal(String.format(java.util.Locale.ROOT, "%.15g", d))
        .stripTrailingZeros().toPlainString();
  }

  private static String slashes(LocalDate d) {
    return d.toString().replace('-', '/');
  }

  static Stream<Format> formats() {
    Function<Place, List<Object>> geojson = p -> list(p.id, p.big, p.score, p.name, p.day, p.seen);
    Function<Place, List<Object>> gpkg = p -> list(p.big, p.score, p.name, p.day, p.seen);
    List<Field> gpkgFields = GEOJSON_FIELDS.subList(1, GEOJSON_FIELDS.size()); // "id" became the FID column
    List<Field> gdbFields = List.of(f("big", FieldType.DOUBLE), f("score", FieldType.DOUBLE), f("name", FieldType.STRING),
        f("day", FieldType.TIMESTAMP), f("seen", FieldType.TIMESTAMP));
    // FileGDB has no 64-bit integer (GDAL 3.6 writes a double), no date (a date-time at midnight UTC) and keeps
    // date-times to the second, rounded.
    Function<Place, List<Object>> gdb = p -> list((double) p.big, p.score, p.name, midnight(p.day),
        Instant.ofEpochMilli(Math.round(p.seen.toEpochMilli() / 1000.0) * 1000));
    List<Field> shpFields = List.of(f("id", FieldType.INT32), f("big", FieldType.INT64), f("score", FieldType.DOUBLE),
        f("name", FieldType.STRING), f("day", FieldType.DATE), f("seen", FieldType.DATE));
    // Shapefile has no date-time: ogr2ogr keeps the date as written in the file (in its own time zone).
    Function<Place, List<Object>> shp = p -> list(p.id, p.big, p.score, p.name, p.day,
        p.id == 2 ? LocalDate.of(2024, 1, 15) : p.seen.atZone(java.time.ZoneOffset.UTC).toLocalDate());
    List<Field> csvFields = List.of(f("WKT", FieldType.STRING), f("id", FieldType.STRING), f("big", FieldType.STRING),
        f("score", FieldType.STRING), f("name", FieldType.STRING), f("day", FieldType.STRING),
        f("seen", FieldType.STRING));
    Map<Integer, String> seenText = Map.of(1, "2024/07/01 12:34:56.789+00", 2, "2024/01/15 08:00:00-05",
        3, "1999/12/31 23:59:59+00", 4, "2000/02/29 00:00:00+00", 5, "2024/03/10 10:00:00+00",
        6, "2023/11/05 16:30:00+00");
    // CSV keeps every value as the text ogr2ogr wrote; the WKT column is checked as a geometry below.
    Function<Place, List<Object>> csv = p -> list(null, String.valueOf(p.id), String.valueOf(p.big), text(p.score),
        p.name, slashes(p.day), seenText.get(p.id));
    List<Field> gmlFields = new ArrayList<>();
    gmlFields.add(f("gml_id", FieldType.STRING));
    gmlFields.addAll(GEOJSON_FIELDS);
    Function<Place, List<Object>> gml = p -> {
      List<Object> v = new ArrayList<>();
      v.add("places." + (p.id - 1));
      v.addAll(geojson.apply(p));
      return v;
    };
    Function<Place, List<Object>> fgb = p -> list(p.id, p.big, p.score, p.name, midnight(p.day), p.seen);
    List<Field> fgbFields = List.of(f("id", FieldType.INT32), f("big", FieldType.INT64), f("score", FieldType.DOUBLE),
        f("name", FieldType.STRING), f("day", FieldType.TIMESTAMP), f("seen", FieldType.TIMESTAMP));
    return Stream.of(
        new Format("GeoJSON (the fixture)", "GeoJSON", "places.geojson", null, ALL, GEOJSON_FIELDS, geojson,
            p -> p.id, false, true, 1e-12),
        new Format("GeoJSON (ogr2ogr)", "GeoJSON", "copy.geojson", null, ALL, GEOJSON_FIELDS, geojson,
            p -> p.id, false, true, 1e-12),
        new Format("GeoPackage", "GPKG", "places.gpkg", "places", ALL, gpkgFields, gpkg, p -> p.id, false, true, 0),
        new Format("GeoPackage in a zip subfolder", "GPKG", "/vsizip/nested.zip/data/2024/places.gpkg", null, ALL,
            gpkgFields, gpkg, p -> p.id, false, true, 0),
        new Format("Shapefile points in a zip", "ESRI Shapefile", "/vsizip/shp.zip", "points", POINTS, shpFields, shp,
            p -> p.id - 1, false, false, 0),
        new Format("Shapefile polygons in a zip", "ESRI Shapefile", "/vsizip/shp.zip", "polys", POLYGONS, shpFields,
            shp, p -> p.id - 4, false, false, 0),
        new Format("GML", "GML", "places.gml", null, ALL, gmlFields, gml, p -> p.id - 1, false, true, 1e-12),
        new Format("FlatGeobuf", "FlatGeobuf", "places.fgb", null, ALL, fgbFields, fgb, null, false, true, 0),
        // FileGDB snaps coordinates to its XY grid (1e-9 degrees by default).
        new Format("FileGDB points", "OpenFileGDB", "places.gdb", "points", POINTS, gdbFields, gdb, p -> p.id, false,
            false, 1e-9),
        new Format("FileGDB polygons", "OpenFileGDB", "places.gdb", "polys", POLYGONS, gdbFields, gdb, p -> p.id,
            true, false, 1e-9),
        new Format("CSV with WKT", "CSV", "places.csv", null, ALL, csvFields, csv, p -> p.id, false, true, 1e-12));
  }

  @BeforeAll
  static void writeEveryFormat() throws IOException {
    OgrFixtures.resource("/read/places.geojson", dir);
    String in = "places.geojson";
    OgrFixtures.ogr2ogr(dir, "-f", "GeoJSON", "copy.geojson", in);
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "places.gpkg", in);
    OgrFixtures.ogr2ogr(dir, "-f", "GML", "places.gml", in);
    OgrFixtures.ogr2ogr(dir, "-f", "FlatGeobuf", "places.fgb", in);
    OgrFixtures.ogr2ogr(dir, "-f", "CSV", "places.csv", in, "-lco", "GEOMETRY=AS_WKT");
    // Shapefile and FileGDB hold one geometry type per layer: points and polygons go to two layers.
    OgrFixtures.ogr2ogr(dir, "-f", "OpenFileGDB", "places.gdb", in, "-where", "OGR_GEOMETRY='POINT'", "-nln", "points",
        "-nlt", "POINT");
    OgrFixtures.ogr2ogr(dir, "-f", "OpenFileGDB", "-update", "places.gdb", in, "-where", "OGR_GEOMETRY='POLYGON'",
        "-nln", "polys", "-nlt", "POLYGON");
    Files.createDirectories(dir.resolve("shp"));
    OgrFixtures.ogr2ogr(dir, "-f", "ESRI Shapefile", "shp/points.shp", in, "-where", "OGR_GEOMETRY='POINT'",
        "-lco", "ENCODING=UTF-8");
    OgrFixtures.ogr2ogr(dir, "-f", "ESRI Shapefile", "shp/polys.shp", in, "-where", "OGR_GEOMETRY='POLYGON'",
        "-lco", "ENCODING=UTF-8");
    OgrFixtures.zip(dir.resolve("shp"), dir.resolve("shp.zip"), "");
    Files.createDirectories(dir.resolve("inner"));
    Files.copy(dir.resolve("places.gpkg"), dir.resolve("inner/places.gpkg"));
    OgrFixtures.zip(dir.resolve("inner"), dir.resolve("nested.zip"), "data/2024/");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formats")
  void readsWhatGdalReadsAndWhatTheFormatKeeps(Format format) {
    OgrSource source = new OgrSource(2, "places-" + format.driver, format.datasetName(), format.layer, null, List.of());
    OgrLayerInfo info = OgrLayers.describe(source, 1000);
    assertThat(info.driver(), is(format.driver));
    assertThat(info.featureCount(), is((long) format.places.size()));
    assertThat(info.splits(), contains(OgrSplit.all()));
    assertThat(info.schema().fields(), is(format.fields));
    if (!format.driver.equals("CSV")) {
      assertThat("CRS of " + format, info.srsWkt(), containsString("WGS 84"));
    }

    OgrFixtures.Read read = OgrFixtures.read(info);
    assertThat(read.rejects(), is(empty()));
    Map<Long, Feature> got = read.byFid();
    Map<Long, OgrFixtures.OgrRow> gdal = OgrFixtures.readWithGdal(format.datasetName(), format.layer);

    // 1. The same features as GDAL reads directly: FIDs, geometries, and every value as OGR's text.
    assertThat("FIDs", got.keySet(), equalTo(gdal.keySet()));
    for (Feature feature : got.values()) {
      OgrFixtures.OgrRow row = gdal.get(feature.fid());
      assertThat("source index", feature.source(), is(2));
      assertThat("geometry of FID " + feature.fid(), feature.geometry().equalsExact(row.geometry()), is(true));
      List<String> names = new ArrayList<>(row.fields().keySet());
      for (int i = 0; i < info.schema().size(); i++) {
        assertSameAsOgr(format + " FID " + feature.fid() + " " + names.get(i), info.schema().field(i).type(),
            feature.value(i), row.fields().get(names.get(i)));
      }
    }

    // 2. What the format keeps of the original.
    Map<String, Place> byName = new HashMap<>();
    PLACES.forEach(p -> byName.put(p.name, p));
    int nameAt = info.schema().indexOf("name");
    List<Integer> idsRead = new ArrayList<>();
    for (Feature feature : got.values()) {
      String name = (String) feature.value(nameAt);
      Place place = byName.get(name);
      assertThat("a place named " + name, place, notNullValue());
      idsRead.add(place.id);
      // Strings byte for byte in UTF-8: accents and Inuktitut syllabics, never re-coded.
      assertThat(name.getBytes(StandardCharsets.UTF_8), equalTo(place.name.getBytes(StandardCharsets.UTF_8)));
      if (format.fid != null) {
        assertThat("FID of " + name, feature.fid(), is(format.fid.applyAsLong(place)));
      }
      List<Object> expected = format.values.apply(place);
      for (int i = 0; i < expected.size(); i++) {
        if (format.driver.equals("CSV") && i == 0) {
          continue; // the WKT column, compared as a geometry below
        }
        assertThat(format + ": " + name + "." + info.schema().field(i).name(), feature.value(i), equalTo(expected.get(i)));
      }
      Geometry truth = NormalizeGeometry.normalize(place.geometry(), format.promote);
      assertThat(format + ": geometry of " + name + " " + feature.geometry(),
          NormalizeGeometry.normalize(feature.geometry(), format.promote).equalsExact(truth, format.tolerance), is(true));
      if (format.keepsOrientation) {
        assertThat(format + ": geometry as written " + feature.geometry(),
            feature.geometry().equalsExact(place.geometry(), format.tolerance), is(true));
      }
      if (format.driver.equals("CSV")) {
        try {
          Geometry wkt = new WKTReader().read((String) feature.value(0));
          assertThat(wkt.equalsExact(place.geometry(), 1e-12), is(true));
        } catch (org.locationtech.jts.io.ParseException e) {
          throw new AssertionError(e);
        }
      }
    }
    idsRead.sort(null);
    assertThat("every place of the layer, once", idsRead, is(format.places));
  }

  private static void assertSameAsOgr(String what, FieldType type, Object value, String ogrText) {
    if (ogrText == null) {
      assertThat(what, value, nullValue());
      return;
    }
    assertThat(what, value, notNullValue());
    switch (type) {
      case STRING -> assertThat(what, ((String) value).getBytes(StandardCharsets.UTF_8),
          equalTo(ogrText.getBytes(StandardCharsets.UTF_8)));
      case INT32, INT64 -> assertThat(what, ((Number) value).longValue(), is(Long.parseLong(ogrText)));
      case DOUBLE, FLOAT -> assertThat(what, ((Number) value).doubleValue(),
          closeTo(Double.parseDouble(ogrText), Math.abs(Double.parseDouble(ogrText)) * 1e-14));
      case DATE -> assertThat(what, value.toString(), is(ogrText.replace('/', '-')));
      // OGR writes "2024/01/15 08:00:00-05": the same date and time, in the zone OGR knows.
      case TIMESTAMP -> assertThat(what, ogrInstant(ogrText), is(value));
      default -> throw new AssertionError("unexpected type " + type);
    }
  }

  /** Parses OGR's date-time text ("YYYY/MM/DD HH:MM:SS[.sss][+hh|-hh[mm]]"); no zone is read as UTC. */
  static Instant ogrInstant(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("(\\d{4})/(\\d{2})/(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}(?:\\.\\d+)?)(?:([+-])(\\d{2}):?(\\d{2})?)?")
        .matcher(text);
    assertThat("OGR date-time " + text, m.matches(), is(true));
    java.math.BigDecimal seconds = new java.math.BigDecimal(m.group(6));
    java.time.LocalDateTime t = java.time.LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), seconds.intValue(),
        seconds.remainder(java.math.BigDecimal.ONE).movePointRight(9).intValue());
    int offset = 0;
    if (m.group(7) != null) {
      offset = Integer.parseInt(m.group(8)) * 3600 + (m.group(9) == null ? 0 : Integer.parseInt(m.group(9)) * 60);
      offset = m.group(7).equals("-") ? -offset : offset;
    }
    return t.toInstant(java.time.ZoneOffset.ofTotalSeconds(offset));
  }

  @Test
  void shapefileAndFileGdbStoreClockwiseShellsThatNormalizeTurns() {
    // The ESRI formats keep shells clockwise: NormalizeGeometry, not the reader, makes them counterclockwise.
    Map<Long, OgrFixtures.OgrRow> shp = OgrFixtures.readWithGdal("/vsizip/" + dir.resolve("shp.zip"), "polys");
    Polygon ottawa = (Polygon) shp.get(0L).geometry();
    assertThat(org.locationtech.jts.algorithm.Orientation.isCCW(ottawa.getExteriorRing().getCoordinateSequence()),
        is(false));
    assertThat(ottawa.getNumInteriorRing(), is(1));
  }

  @Test
  void describeReportsLayerAndGeometryType() {
    OgrLayerInfo gpkg = OgrLayers.describe(OgrFixtures.source(dir.resolve("places.gpkg").toString(), null), 1000);
    assertThat(gpkg.layerName(), is("places"));
    OgrLayerInfo polys = OgrLayers.describe(OgrFixtures.source(dir.resolve("places.gdb").toString(), "polys"), 1000);
    assertThat(polys.layerName(), is("polys"));
    assertThat(polys.geometryType(), is("Multi Polygon"));
    OgrLayerInfo points = OgrLayers.describe(OgrFixtures.source("/vsizip/" + dir.resolve("shp.zip"), "points"), 1000);
    assertThat(points.geometryType(), is("Point"));
  }
}
