package org.d4c.catalog;

import static org.d4c.testing.TestBuilds.OTTAWA;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.parquet.schema.Type;
import org.d4c.core.json.CanonicalJson;
import org.d4c.testing.TestBuilds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds made only of plain Parquet tables ({@code geometry: none} outputs): their item has a null geometry and no
 * bbox, or the recipe's declared footprint; catalogs mixing them with spatial items stay valid.
 */
class CatalogTablesTest {
  @TempDir
  Path tmp;

  /** Row groups of about 2 rows, so that adds splice row groups as they do in a large catalog. */
  @BeforeAll
  static void smallRowGroups() {
    System.setProperty("d4c.catalog.rowGroupModulus", "2");
  }

  @AfterAll
  static void defaultRowGroups() {
    System.clearProperty("d4c.catalog.rowGroupModulus");
  }

  /** A build folder of two tables (and a GeoParquet file when {@code spatial}), with {@code extraYaml} in the recipe. */
  static Path tablesBuild(Path dir, String dataset, String version, String extraYaml, boolean spatial) throws Exception {
    Files.createDirectories(dir);
    TestBuilds.writeTable(dir.resolve("profile.parquet"), 5);
    TestBuilds.writeTable(dir.resolve("profile-provinces.parquet"), 3);
    List<String> files = new java.util.ArrayList<>(List.of("profile.parquet", "profile-provinces.parquet"));
    if (spatial) {
      TestBuilds.writeGeoParquet(dir.resolve("boundaries.parquet"), List.of(OTTAWA));
      files.add("boundaries.parquet");
    }
    Map<String, Object> params = new TreeMap<>(Map.of("crs", "OGC:CRS84", "geoparquet_version", "1.1.0"));
    TestBuilds.lock(dir, TestBuilds.recipeHead(dataset, version, "Census profile " + dataset, "Counts by geography.")
        + extraYaml, files, params, null);
    return dir;
  }

  private CatalogValidator.Report validate(Catalog cat) {
    try (CatalogSource src = CatalogSource.open(cat.dir().toString())) {
      return CatalogValidator.validate(src, true, true);
    }
  }

  @Test
  void aBuildOfOnlyTablesIsAnItemWithANullGeometryAndNoBbox() throws Exception {
    Catalog cat = Catalog.at(tmp.resolve("cat"));
    Catalog.AddResult r = cat.add(tablesBuild(tmp.resolve("census"), "census", "1.0.0", "", false), ItemFactory.Options.DEFAULTS, false);
    ObjectNode item = r.item();
    assertThat(item.get("geometry").isNull(), is(true));
    assertThat(item.has("bbox"), is(false));
    assertThat(StacSchemas.item(item), is(empty()));
    // catalog.parquet gives the same item back, and the static JSON has "geometry": null.
    assertThat(cat.read().items(), equalTo(List.of(item)));
    JsonNode file = CanonicalJson.mapper().readTree(cat.dir().resolve(CatalogLinks.itemPath("census", item.get("id").asText())).toFile());
    assertThat(file.has("geometry") && file.get("geometry").isNull(), is(true));
    assertThat(file.has("bbox"), is(false));
    // No item has a location: the collection covers the whole world, the file has no extent.
    JsonNode collection = cat.read().collections().get("census");
    assertThat(collection.path("extent").path("spatial").path("bbox").toString(), equalTo("[[-180,-90,180,90]]"));
    assertThat(StacSchemas.collection(collection), is(empty()));
    JsonNode geo = CanonicalJson.mapper().readTree(cat.read().keyValue().get("geo"));
    assertThat(geo.path("columns").path("geometry").has("bbox"), is(false));
    assertThat(StacSchemas.geoMetadata(geo), is(empty()));
    Type geometry = cat.read().schema().getType("geometry");
    assertThat(geometry.getRepetition(), equalTo(Type.Repetition.OPTIONAL));
    CatalogValidator.Report report = validate(cat);
    assertThat(report.text(), report.ok(), is(true));
  }

  @Test
  void spatialAndTableItemsMixInOneCatalog() throws Exception {
    Catalog cat = Catalog.at(tmp.resolve("cat"));
    cat.add(TestBuilds.write(tmp.resolve("a1"), TestBuilds.Spec.of("alpha", "1.0.0", OTTAWA)), ItemFactory.Options.DEFAULTS, false);
    assertThat("no null geometry yet: the columns stay required",
        cat.read().schema().getType("geometry").getRepetition(), equalTo(Type.Repetition.REQUIRED));
    cat.add(tablesBuild(tmp.resolve("census"), "census", "1.0.0", "", false), ItemFactory.Options.DEFAULTS, false);
    cat.add(TestBuilds.write(tmp.resolve("z1"), TestBuilds.Spec.of("zeta", "1.0.0", OTTAWA)), ItemFactory.Options.DEFAULTS, false);
    cat.add(tablesBuild(tmp.resolve("census2"), "census", "2.0.0", "", false), ItemFactory.Options.DEFAULTS, false);
    List<ObjectNode> items = cat.read().items();
    assertThat(items.stream().map(i -> i.get("id").asText() + "=" + i.get("geometry").path("type").asText("null")).toList(),
        equalTo(List.of("alpha-1.0.0=Polygon", "census-1.0.0=null", "census-2.0.0=null", "zeta-1.0.0=Polygon")));
    JsonNode geo = CanonicalJson.mapper().readTree(cat.read().keyValue().get("geo"));
    assertThat(geo.path("columns").path("geometry").path("bbox").toString(), equalTo("[-76,45,-75.5,45.5]"));
    assertThat(geo.path("columns").path("geometry").path("geometry_types").toString(), equalTo("[\"Polygon\"]"));
    CatalogValidator.Report report = validate(cat);
    assertThat(report.text(), report.ok(), is(true));
  }

  /** Spatial and table builds added under {@code root}, in the order given (an id per entry: alpha or census). */
  private Catalog catalogWith(Path root, String... order) throws Exception {
    Catalog cat = Catalog.at(root.resolve("cat"));
    for (String what : order) {
      Path build = what.startsWith("alpha")
          ? TestBuilds.write(root.resolve("builds").resolve(what), TestBuilds.Spec.of("alpha", what.substring(6), OTTAWA))
          : tablesBuild(root.resolve("builds").resolve(what), "census", what.substring(7), "", false);
      cat.add(build, ItemFactory.Options.DEFAULTS, false);
    }
    return cat;
  }

  @Test
  void sameInputsGiveTheSameBytesInAnyOrderWithNullGeometries() throws Exception {
    Catalog one = catalogWith(tmp.resolve("one"), "alpha-1.0.0", "census-1.0.0", "alpha-2.0.0", "census-2.0.0");
    Catalog two = catalogWith(tmp.resolve("two"), "census-2.0.0", "alpha-2.0.0", "census-1.0.0", "alpha-1.0.0");
    assertThat(TestBuilds.differences(TestBuilds.snapshot(one.dir()), TestBuilds.snapshot(two.dir())), is(empty()));
  }

  @Test
  void aDeclaredFootprintIsTheGeometryOfABuildOfOnlyTables() throws Exception {
    Catalog cat = Catalog.at(tmp.resolve("cat"));
    ObjectNode item = cat.add(tablesBuild(tmp.resolve("census"), "census", "1.0.0",
        "footprint: {bbox: [-141.01, 41.67, -52.6, 83.11]}\n", false), ItemFactory.Options.DEFAULTS, false).item();
    assertThat(item.get("bbox").toString(), equalTo("[-141.01,41.67,-52.6,83.11]"));
    assertThat(item.get("geometry").toString(), equalTo("{\"coordinates\":[[[-141.01,41.67],[-52.6,41.67],[-52.6,83.11],"
        + "[-141.01,83.11],[-141.01,41.67]]],\"type\":\"Polygon\"}"));
    assertThat(StacSchemas.item(item), is(empty()));
    assertThat(cat.read().collections().get("census").path("extent").path("spatial").path("bbox").toString(),
        equalTo("[[-141.01,41.67,-52.6,83.11]]"));
    CatalogValidator.Report report = validate(cat);
    assertThat(report.text(), report.ok(), is(true));
  }

  @Test
  void withASpatialOutputTheDataIsTheFootprintNotTheDeclaredBox() throws Exception {
    ObjectNode item = ItemFactory.build(tablesBuild(tmp.resolve("census"), "census", "1.0.0",
        "footprint: {bbox: [-141.01, 41.67, -52.6, 83.11]}\n", true), tmp.resolve("cat"), ItemFactory.Options.DEFAULTS).item();
    assertThat(item.get("bbox").toString(), equalTo("[-76,45,-75.5,45.5]"));
    assertThat(item.path("assets").path("profile").path("description").asText(), equalTo("12 rows of Parquet, a table without geometry"));
    assertThat(item.path("assets").path("boundaries").path("description").asText(), equalTo("10 rows of GeoParquet 1.1.0 in OGC:CRS84"));
  }

  @Test
  void aHandEditedManifestWithABadFootprintIsRefusedNamingTheField() throws Exception {
    Path build = tablesBuild(tmp.resolve("census"), "census", "1.0.0", "footprint: {bbox: [-80, 43, -79, 44]}\n", false);
    Path manifest = build.resolve("manifest.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"bbox\": [\n        -80,", "\"bbox\": [\n        -200,"));
    CatalogException e = assertThrows(CatalogException.class,
        () -> ItemFactory.build(build, tmp.resolve("cat"), ItemFactory.Options.DEFAULTS));
    assertThat(e.getMessage(), containsString("recipe.footprint.bbox: expected west < east in -180..180"));
    assertThat(e.getMessage(), containsString(manifest.toString()));
  }
}
