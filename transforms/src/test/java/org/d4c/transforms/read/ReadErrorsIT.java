package org.d4c.transforms.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.d4c.transforms.feature.Feature;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Filters, and sources that cannot be read: a clear {@link OgrException} naming the source, never a silent gap. */
class ReadErrorsIT {
  @TempDir
  static Path dir;

  @BeforeAll
  static void makeFixtures() throws IOException {
    OgrFixtures.resource("/read/places.geojson", dir);
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "places.gpkg", "places.geojson");
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "two.gpkg", "places.geojson", "-where", "OGR_GEOMETRY='POINT'",
        "-nln", "cities");
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "-update", "two.gpkg", "places.geojson", "-where",
        "OGR_GEOMETRY='POLYGON'", "-nln", "areas");
    // A layer big enough that half of the file cuts through data pages.
    StringBuilder json = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < 500; i++) {
      json.append(i == 0 ? "" : ",").append("{\"type\":\"Feature\",\"properties\":{\"n\":").append(i)
          .append(",\"s\":\"").append("x".repeat(50)).append("\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[")
          .append(-100 + i * 0.01).append(",").append(50 + i * 0.01).append("]}}");
    }
    Files.writeString(dir.resolve("many.geojson"), json.append("]}"));
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "many.gpkg", "many.geojson");
    OgrFixtures.ogr2ogr(dir, "-f", "FlatGeobuf", "many.fgb", "many.geojson");
    cutInHalf(dir.resolve("many.gpkg"), dir.resolve("half.gpkg"));
    cutInHalf(dir.resolve("many.fgb"), dir.resolve("half.fgb"));
    // Header and part of the spatial index only: not one feature left.
    Files.write(dir.resolve("header.fgb"), Arrays.copyOf(Files.readAllBytes(dir.resolve("many.fgb")), 1000));
  }

  private static void cutInHalf(Path from, Path to) throws IOException {
    byte[] all = Files.readAllBytes(from);
    Files.write(to, Arrays.copyOf(all, all.length / 2));
  }

  private static OgrSource source(String id, String file, String layer, String where) {
    return new OgrSource(0, id, dir.resolve(file).toString(), layer, where, List.of());
  }

  @Test
  void whereFilterKeepsOnlyMatchingFeatures() {
    OgrLayerInfo info = OgrLayers.describe(source("p", "places.gpkg", null, "score > 1 AND name <> 'Ottawa'"), 1000);
    assertThat(info.featureCount(), is(1L));
    OgrFixtures.Read read = OgrFixtures.read(info);
    assertThat(read.features().stream().map(f -> f.value(info.schema().indexOf("name"))).toList(),
        containsInAnyOrder("Montréal"));
    assertThat(read.rejects(), is(empty()));
  }

  @Test
  void whereFilterOnUnicodeText() {
    OgrLayerInfo info = OgrLayers.describe(source("p", "places.gpkg", null, "name IN ('Québec', 'Iqaluit ᐃᖃᓗᐃᑦ')"),
        1000);
    List<Long> fids = OgrFixtures.read(info).features().stream().map(Feature::fid).toList();
    assertThat(fids, containsInAnyOrder(2L, 3L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"places.geojson", "places.gpkg"})
  void invalidWhereFilterNamesTheSourceAndTheFilter(String file) {
    // GeoJSON is filtered by OGR SQL, which rejects the filter at once; GeoPackage hands it to SQLite, which only
    // fails when the layer is counted or read. Either way describe must refuse it before the pipeline starts.
    OgrException e = assertThrows(OgrException.class,
        () -> OgrLayers.describe(source("bad-filter", file, null, "score >>> 1"), 1000));
    assertThat(e.getMessage(), allOf(containsString("'bad-filter'"), containsString("score >>> 1")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"places.geojson", "places.gpkg"})
  void whereFilterOnAMissingFieldNamesTheSource(String file) {
    OgrException e = assertThrows(OgrException.class,
        () -> OgrLayers.describe(source("bad-field", file, null, "population > 1000"), 1000));
    assertThat(e.getMessage(), allOf(containsString("'bad-field'"), containsString("population > 1000")));
  }

  @Test
  void missingLayerListsTheLayersThatExist() {
    OgrException e = assertThrows(OgrException.class,
        () -> OgrLayers.describe(source("towns", "two.gpkg", "towns", null), 1000));
    assertThat(e.getMessage(), allOf(containsString("source 'towns'"), containsString("no layer named 'towns'"),
        containsString("[cities, areas]")));
  }

  @Test
  void secondLayerIsReadByName() {
    OgrLayerInfo info = OgrLayers.describe(source("a", "two.gpkg", "areas", null), 1000);
    assertThat(info.layerName(), is("areas"));
    assertThat(OgrFixtures.read(info).features().stream().map(Feature::fid).toList(), containsInAnyOrder(4L, 5L, 6L));
  }

  @Test
  void missingFileNamesTheSource() {
    OgrException e = assertThrows(OgrException.class,
        () -> OgrLayers.describe(source("ghost", "does-not-exist.gpkg", null, null), 1000));
    assertThat(e.getMessage(), allOf(containsString("source 'ghost'"), containsString("does-not-exist.gpkg")));
  }

  @Test
  void fileThatIsNoVectorDatasetNamesTheSource() throws IOException {
    Files.writeString(dir.resolve("notes.gpkg"), "this is not a GeoPackage\n");
    OgrException e = assertThrows(OgrException.class,
        () -> OgrLayers.describe(source("notes", "notes.gpkg", null, null), 1000));
    assertThat(e.getMessage(), containsString("source 'notes'"));
  }

  @Test
  void truncatedGeoPackageNamesTheSource() {
    OgrException e = assertThrows(OgrException.class,
        () -> OgrLayers.describe(source("cut-gpkg", "half.gpkg", null, null), 1000));
    assertThat(e.getMessage(), allOf(containsString("source 'cut-gpkg'"), containsString("half.gpkg")));
  }

  @Test
  void truncatedFlatGeobufFailsTheReadInsteadOfLosingFeatures() {
    // The header of the cut file still promises 500 features; GDAL stops after those it can parse with an error
    // ("Fatal error parsing feature") but without an exception. Reading must fail, not give a quarter of the layer.
    OgrSource cut = source("cut-fgb", "half.fgb", null, null);
    OgrLayerInfo info;
    try {
      info = OgrLayers.describe(cut, 1000);
    } catch (OgrException e) {
      assertThat(e.getMessage(), containsString("source 'cut-fgb'"));
      return; // refusing the file up front is fine too
    }
    assertThat(info.featureCount(), is(500L));
    RuntimeException e = assertThrows(RuntimeException.class, () -> OgrFixtures.read(info));
    OgrException cause = OgrFixtures.causeOfType(e, OgrException.class);
    assertThat(cause.getMessage(), containsString("source 'cut-fgb'"));
  }

  @Test
  void flatGeobufCutAfterItsHeaderFailsTheRead() {
    // GDAL reads no feature and reports no error at all; only the count the header promised tells.
    OgrSource cut = source("header-fgb", "header.fgb", null, null);
    OgrLayerInfo info;
    try {
      info = OgrLayers.describe(cut, 1000);
    } catch (OgrException e) {
      assertThat(e.getMessage(), containsString("source 'header-fgb'"));
      return;
    }
    assertThat(info.featureCount(), is(500L));
    RuntimeException e = assertThrows(RuntimeException.class, () -> OgrFixtures.read(info));
    assertThat(OgrFixtures.causeOfType(e, OgrException.class).getMessage(), containsString("source 'header-fgb'"));
  }
}
