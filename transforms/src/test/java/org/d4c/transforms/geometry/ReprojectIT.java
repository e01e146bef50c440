package org.d4c.transforms.geometry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.read.OgrFixtures;
import org.d4c.transforms.read.OgrLayerInfo;
import org.d4c.transforms.read.OgrLayers;
import org.d4c.transforms.read.OgrSource;
import org.d4c.transforms.read.ReadOgr;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.testing.Pipelines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;

/** Reprojection with PROJ through GDAL: the same numbers as ogr2ogr, longitude first, failures as rejects. */
class ReprojectIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  /** Places across Canada in OGC:CRS84, and a polygon with a hole. */
  static final String[][] PLACES = {
      {"Whitehorse", "POINT (-135.0568 60.7212)"}, {"Vancouver", "POINT (-123.1207 49.2827)"},
      {"Winnipeg", "POINT (-97.1384 49.8951)"}, {"Montréal", "POINT (-73.5673 45.5017)"},
      {"St. John's", "POINT (-52.7126 47.5615)"}, {"Iqaluit", "POINT (-68.5167 63.7467)"},
      {"Alert", "POINT (-62.3481 82.5018)"},
      {"Ottawa", "POLYGON ((-76 45, -75 45, -75 46, -76 46, -76 45), (-75.8 45.2, -75.8 45.8, -75.2 45.8, -75.2 45.2, -75.8 45.2))"}};

  @BeforeAll
  static void makeLayers() throws IOException {
    StringBuilder csv = new StringBuilder("WKT,name\n");
    for (String[] p : PLACES) {
      csv.append('"').append(p[1]).append("\",").append(p[0].replace("'", "")).append('\n');
    }
    Files.writeString(dir.resolve("places.csv"), csv, StandardCharsets.UTF_8);
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "crs84.gpkg", "places.csv", "-a_srs", "OGC:CRS84", "-nln", "places");
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "lambert.gpkg", "crs84.gpkg", "-t_srs", "EPSG:3347");
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "back.gpkg", "lambert.gpkg", "-t_srs", "OGC:CRS84");
    OgrFixtures.ogr2ogr(dir, "-f", "GeoJSON", "places.geojson", "crs84.gpkg");

    Files.writeString(dir.resolve("utm.csv"), """
        WKT,what
        "POINT (500000 5000000)",on the central meridian
        "POINT (50000000 5000000)",far outside the zone
        "POINT (1e30 1e30)",impossible
        "LINESTRING (500000 5000000, 50000000 5000000)",one vertex outside
        """);
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "utm.gpkg", "utm.csv", "-a_srs", "EPSG:32618", "-nln", "utm");
    Files.writeString(dir.resolve("far.csv"), """
        WKT,what
        "POINT (4000000 2000000)",Vancouver Island
        "POINT (1e30 1e30)",impossible
        """);
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "far.gpkg", "far.csv", "-a_srs", "EPSG:3347", "-nln", "far");
  }

  private static OgrLayerInfo describe(String file) {
    return OgrLayers.describe(new OgrSource(0, file, dir.resolve(file).toString(), null, null, List.of()), 1000);
  }

  record Result(Map<Long, Feature> features, List<Reject> rejects) {}

  private static Result reproject(OgrLayerInfo info, String target) {
    Pipeline p = Pipelines.direct();
    PCollectionTuple read = p.apply("Read", ReadOgr.from(info));
    PCollectionTuple out = read.get(ReadOgr.FEATURES).apply("Reproject", Reproject.from(info.srsWkt(), target));
    var features = Pipelines.collect(out.get(GeometrySteps.FEATURES));
    var rejects = Pipelines.collect(out.get(GeometrySteps.REJECTS));
    Pipelines.run(p);
    Map<Long, Feature> byFid = new java.util.TreeMap<>();
    features.get().forEach(f -> byFid.put(f.fid(), f));
    return new Result(byFid, rejects.get().stream().sorted(Reject.ORDER).toList());
  }

  /** Largest coordinate difference between two geometries of the same structure. */
  private static double maxDifference(Geometry a, Geometry b) {
    Coordinate[] ca = a.getCoordinates();
    Coordinate[] cb = b.getCoordinates();
    assertThat("same number of coordinates", ca.length, is(cb.length));
    double max = 0;
    for (int i = 0; i < ca.length; i++) {
      max = Math.max(max, Math.max(Math.abs(ca[i].x - cb[i].x), Math.abs(ca[i].y - cb[i].y)));
    }
    return max;
  }

  @Test
  void lambertToCrs84MatchesOgr2ogrAndTheOriginal() {
    OgrLayerInfo info = describe("lambert.gpkg");
    assertThat(info.srsWkt(), containsString("3347"));
    assertThat(Reproject.needed(info.srsWkt(), Crs.CRS84), is(true));
    Result result = reproject(info, Crs.CRS84);
    assertThat(result.rejects(), is(empty()));

    Map<Long, OgrFixtures.OgrRow> ogr2ogr = OgrFixtures.readWithGdal(dir.resolve("back.gpkg").toString(), null);
    Map<Long, OgrFixtures.OgrRow> original = OgrFixtures.readWithGdal(dir.resolve("crs84.gpkg").toString(), null);
    assertThat(result.features().keySet(), is(ogr2ogr.keySet()));
    for (Feature f : result.features().values()) {
      Geometry g = f.geometry();
      assertThat("FID " + f.fid() + " vs ogr2ogr", maxDifference(g, ogr2ogr.get(f.fid()).geometry()), lessThan(1e-9));
      assertThat("FID " + f.fid() + " vs original", maxDifference(g, original.get(f.fid()).geometry()),
          lessThan(1e-7));
      for (Coordinate c : g.getCoordinates()) {
        // x is the longitude: negative in Canada; y the latitude.
        assertThat(c.x, allOf(lessThan(-50.0), org.hamcrest.Matchers.greaterThan(-142.0)));
        assertThat(c.y, allOf(org.hamcrest.Matchers.greaterThan(41.0), lessThan(84.0)));
      }
    }
    assertThat(result.features().size(), is(PLACES.length));
    // The polygon's rings were transformed vertex by vertex, and nothing else changed.
    Feature ottawa = result.features().values().stream().filter(f -> "Ottawa".equals(f.value(1))).findFirst()
        .orElseThrow();
    assertThat(ottawa.geometry().getGeometryType(), is("Polygon"));
    assertThat(((org.locationtech.jts.geom.Polygon) ottawa.geometry()).getNumInteriorRing(), is(1));
    assertThat(ottawa.geometry().getArea(), closeTo(1.0 - 0.36, 1e-7));
  }

  @Test
  void crs84ToLambertMatchesOgr2ogr() {
    OgrLayerInfo info = describe("crs84.gpkg");
    Result result = reproject(info, "EPSG:3347");
    assertThat(result.rejects(), is(empty()));
    Map<Long, OgrFixtures.OgrRow> ogr2ogr = OgrFixtures.readWithGdal(dir.resolve("lambert.gpkg").toString(), null);
    for (Feature f : result.features().values()) {
      assertThat("FID " + f.fid() + " (metres)", maxDifference(f.geometry(), ogr2ogr.get(f.fid()).geometry()),
          lessThan(1e-6));
    }
  }

  @Test
  void geographicLayerKeepsLongitudeFirst() {
    // A GeoJSON layer is EPSG:4326, latitude first by definition; traditional GIS order keeps x the longitude.
    OgrLayerInfo info = describe("places.geojson");
    assertThat(info.srsWkt(), containsString("4326"));
    Result result = reproject(info, Crs.CRS84);
    assertThat(result.rejects(), is(empty()));
    int name = info.schema().indexOf("name");
    Feature whitehorse = result.features().values().stream().filter(f -> "Whitehorse".equals(f.value(name))).findFirst()
        .orElseThrow();
    assertThat(whitehorse.geometry().getCoordinate().x, is(-135.0568));
    assertThat(whitehorse.geometry().getCoordinate().y, is(60.7212));
  }

  @Test
  void epsg4326LayerNeedsNoTransformToCrs84() {
    // Same datum, same units; only the axis order differs, which traditional GIS order already takes care of.
    assertThat(Reproject.needed(null, Crs.CRS84), is(false));
    assertThat(Reproject.needed(Crs.CRS84, Crs.CRS84), is(false));
    assertThat(Reproject.needed("EPSG:3347", Crs.CRS84), is(true));
    assertThat(Reproject.needed(describe("places.geojson").srsWkt(), Crs.CRS84), is(false));
    assertThat(Reproject.needed("EPSG:4326", Crs.CRS84), is(false));
  }

  @Test
  void coordinatesOutsideAUtmZoneAreRejectsNotCrashes() {
    Result result = reproject(describe("utm.gpkg"), Crs.CRS84);
    assertThat(result.features().keySet(), contains(1L));
    Coordinate c = result.features().get(1L).geometry().getCoordinate();
    assertThat(c.x, closeTo(-75.0, 1e-9)); // the central meridian of zone 18
    assertThat(c.y, closeTo(45.1535, 1e-4));
    assertThat(result.rejects().stream().map(r -> r.fid() + ":" + r.reason()).toList(),
        contains("2:reprojection_failed", "3:reprojection_failed", "4:reprojection_failed"));
    for (Reject r : result.rejects()) {
      assertThat(r.detail(), containsString("OGC:CRS84"));
      assertThat(r.wkt(), notNullValue());
    }
    assertThat(result.rejects().get(2).wkt(), is("LINESTRING (500000 5000000, 50000000 5000000)"));
  }

  @Test
  void latitudeBeyondThePoleIsARejectWhenProjecting() throws IOException {
    Files.writeString(dir.resolve("pole.csv"), "WKT,n\n\"POINT (-75 45)\",1\n\"POINT (-75 95)\",2\n");
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "pole.gpkg", "pole.csv", "-a_srs", "OGC:CRS84");
    Result result = reproject(describe("pole.gpkg"), "EPSG:32618");
    assertThat(result.features().keySet(), contains(1L));
    assertThat(result.features().get(1L).geometry().getCoordinate().x, closeTo(500000, 1e-6));
    assertThat(result.rejects().stream().map(r -> r.fid() + ":" + r.reason()).toList(),
        contains("2:reprojection_failed"));
  }

  @Test
  void impossibleLambertCoordinateIsARejectNotAPointAtThePole() {
    // PROJ's inverse Lambert conformal conic maps (1e30, 1e30) to a finite point at the South Pole (about 58, -90)
    // unless the transform checks itself with the inverse (GDAL's CHECK_WITH_INVERT_PROJ=YES).
    Result result = reproject(describe("far.gpkg"), Crs.CRS84);
    assertThat(result.features().get(1L).geometry().getCoordinate().x, closeTo(-123.3, 0.1));
    assertThat("(1e30, 1e30) came out as " + (result.features().containsKey(2L)
        ? result.features().get(2L).geometry() : "a reject"), result.rejects().stream().map(r -> r.fid() + ":"
        + r.reason()).toList(), contains("2:reprojection_failed"));
    assertThat(result.features().keySet(), contains(1L));
  }

  @Test
  void crs84HasNoProjJsonButLambertHas() throws Exception {
    assertThat(Crs.projJsonOrNull("OGC:CRS84"), nullValue());
    String lambert = Crs.projJsonOrNull("EPSG:3347");
    assertThat(lambert, notNullValue());
    JsonNode json = JSON.readTree(lambert);
    assertThat(json.path("type").asText(), is("ProjectedCRS"));
    assertThat(json.path("id").path("authority").asText(), is("EPSG"));
    assertThat(json.path("id").path("code").asInt(), is(3347));
    JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
        .getSchema(SchemaLocation.of("classpath:specs/projjson-v0.7.schema.json"));
    assertThat(schema.validate(json), is(empty()));
    // EPSG:4326 has latitude first: not the implicit CRS84 of GeoParquet, so it is written out.
    assertThat(JSON.readTree(Crs.projJsonOrNull("EPSG:4326")).path("id").path("code").asInt(), is(4326));
  }

  @Test
  void unknownCrsIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Crs.parse("EPSG:999999"));
    assertThat(e.getMessage(), containsString("unknown CRS 'EPSG:999999'"));
  }
}
