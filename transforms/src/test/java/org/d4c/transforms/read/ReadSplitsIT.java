package org.d4c.transforms.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.d4c.transforms.feature.Feature;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A layer read in many parts gives exactly the features of one read, whatever the driver's way of splitting. */
class ReadSplitsIT {
  static final int COUNT = 500;
  static final int PER_SPLIT = 37;

  @TempDir
  static Path dir;

  /** FID of the i-th feature in the GeoJSON and the GeoPackage: sparse, so FID ranges have gaps to cross. */
  static long fid(int i) {
    return 7 + 3L * i;
  }

  @BeforeAll
  static void makeLayers() throws IOException {
    Random r = new Random(11);
    StringBuilder json = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (int i = 0; i < COUNT; i++) {
      double x = -141 + 89 * r.nextDouble();
      double y = 41.7 + 41.4 * r.nextDouble();
      json.append(String.format(Locale.ROOT, "{\"type\":\"Feature\",\"id\":%d,\"properties\":{\"n\":%d,\"label\":\"lieu "
          + "%d é\",\"v\":%.6f},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}%s\n",
          fid(i), i, i, r.nextDouble(), x, y, i + 1 < COUNT ? "," : ""));
    }
    json.append("]}\n");
    Files.writeString(dir.resolve("many.geojson"), json, StandardCharsets.UTF_8);
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "many.gpkg", "many.geojson", "-nln", "many", "-preserve_fid");
    OgrFixtures.ogr2ogr(dir, "-f", "FlatGeobuf", "many.fgb", "many.geojson");
    OgrFixtures.ogr2ogr(dir, "-f", "ESRI Shapefile", "many.shp", "many.geojson", "-lco", "ENCODING=UTF-8");
  }

  private static OgrSource source(String file, String where) {
    return new OgrSource(1, "many", dir.resolve(file).toString(), null, where, List.of());
  }

  /** Reads the layer whole and in parts; both reads must give the same features, none rejected. */
  private static Map<Long, Feature> sameInPartsAsWhole(OgrSource source, OgrSplit.Kind expectedKind, long expected) {
    OgrLayerInfo whole = OgrLayers.describe(source, 1_000_000);
    assertThat(whole.splits(), contains(OgrSplit.all()));
    OgrLayerInfo parts = OgrLayers.describe(source, PER_SPLIT);
    assertThat(parts.featureCount(), is(expected));
    for (OgrSplit s : parts.splits()) {
      assertThat(s + " in " + parts.splits(), s.kind(), is(expectedKind));
    }
    if (expectedKind != OgrSplit.Kind.ALL) {
      assertThat(parts.splits().size(), greaterThan(1));
    }

    OgrFixtures.Read one = OgrFixtures.read(whole);
    OgrFixtures.Read many = OgrFixtures.read(parts, "--targetParallelism=4");
    assertThat(one.rejects(), is(empty()));
    assertThat(many.rejects(), is(empty()));
    assertThat(one.features().size(), is((int) expected));
    assertThat("each feature once", many.features().size(), is((int) expected));
    Map<Long, Feature> byFid = one.byFid();
    assertThat(many.byFid(), equalTo(byFid));
    return byFid;
  }

  @Test
  void geoPackageSplitsIntoFidRanges() {
    OgrLayerInfo info = OgrLayers.describe(source("many.gpkg", null), PER_SPLIT);
    // Ranges cover min..max FID without gaps or overlaps.
    List<OgrSplit> splits = info.splits();
    assertThat(splits.get(0).start(), is(fid(0)));
    assertThat(splits.get(splits.size() - 1).end(), is(fid(COUNT - 1) + 1));
    for (int i = 1; i < splits.size(); i++) {
      assertThat(splits.get(i).start(), is(splits.get(i - 1).end()));
    }
    assertThat(splits.size(), is((COUNT + PER_SPLIT - 1) / PER_SPLIT));

    Map<Long, Feature> features = sameInPartsAsWhole(source("many.gpkg", null), OgrSplit.Kind.FID_RANGE, COUNT);
    assertThat(features.keySet().iterator().next(), is(fid(0)));
  }

  @Test
  void geoPackageSplitsKeepTheFilter() {
    // One in ten features: each FID range must apply the filter too.
    Map<Long, Feature> features = sameInPartsAsWhole(source("many.gpkg", "n % 10 = 3"), OgrSplit.Kind.FID_RANGE,
        COUNT / 10);
    for (Feature f : features.values()) {
      assertThat(f.fid() % 30, is(16L)); // n = 3 + 10k  ->  fid = 7 + 9 + 30k
    }
  }

  @Test
  void shapefileSplitsIntoIndexRanges() {
    Map<Long, Feature> features = sameInPartsAsWhole(source("many.shp", null), OgrSplit.Kind.INDEX_RANGE, COUNT);
    assertThat(features.keySet().iterator().next(), is(0L));
  }

  @Test
  void geoJsonSplitsIntoIndexRanges() {
    sameInPartsAsWhole(source("many.geojson", null), OgrSplit.Kind.INDEX_RANGE, COUNT);
  }

  @Test
  void filteredLayerWithoutFidIndexIsReadWhole() {
    // Positions of a filtered layer are not positions in the file: such a layer is one part.
    Map<Long, Feature> features = sameInPartsAsWhole(source("many.geojson", "n < 100"), OgrSplit.Kind.ALL, 100);
    assertThat(features.keySet().iterator().next(), is(fid(0)));
  }

  @Test
  void flatGeobufIsReadWholeInGdal36() {
    // GDAL 3.6's FlatGeobuf driver has no fast SetNextByIndex, so the planner must not use index ranges on it.
    sameInPartsAsWhole(source("many.fgb", null), OgrSplit.Kind.ALL, COUNT);
  }

  @Test
  void splitsOfEveryFormatReadTheSameFeatures() {
    Map<Long, Feature> gpkg = OgrFixtures.read(OgrLayers.describe(source("many.gpkg", null), PER_SPLIT)).byFid();
    Map<Long, Feature> shp = OgrFixtures.read(OgrLayers.describe(source("many.shp", null), PER_SPLIT)).byFid();
    for (int i = 0; i < COUNT; i++) {
      Feature a = gpkg.get(fid(i));
      Feature b = shp.get((long) i); // Shapefile FIDs are positions
      assertThat(a.geometry().equalsExact(b.geometry()), is(true));
      assertThat(a.value(0), equalTo(b.value(0)));
      assertThat(a.value(1), equalTo(b.value(1)));
    }
  }
}
