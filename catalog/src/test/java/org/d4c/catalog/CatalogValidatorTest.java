package org.d4c.catalog;
import org.d4c.testing.TestBuilds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.d4c.core.json.CanonicalJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validator finds what is wrong, and the shipped schemas really are applied (negative controls). */
class CatalogValidatorTest {
  @TempDir
  Path tmp;

  Catalog cat;
  ObjectNode item;

  @BeforeEach
  void catalog() {
    cat = Catalog.at(tmp.resolve("cat"));
    cat.add(TestBuilds.write(tmp.resolve("b"), TestBuilds.Spec.of("alpha", "1.0.0", TestBuilds.OTTAWA)), ItemFactory.Options.DEFAULTS, false);
    item = cat.read().items().get(0);
  }

  private CatalogValidator.Report validate() {
    try (CatalogSource src = CatalogSource.open(cat.dir().toString())) {
      return CatalogValidator.validate(src, true, true);
    }
  }

  @Test
  void theStacSchemasAndExtensionSchemasAreApplied() {
    assertThat(StacSchemas.item(item), is(empty()));
    ObjectNode noDatetime = item.deepCopy();
    ((ObjectNode) noDatetime.get("properties")).remove("datetime");
    assertThat(String.join("\n", StacSchemas.item(noDatetime)), containsString("datetime"));
    ObjectNode badChecksum = item.deepCopy();
    ((ObjectNode) badChecksum.path("assets").path("data")).put("file:checksum", "XYZ").put("file:size", -1);
    assertThat(String.join("\n", StacSchemas.item(badChecksum)), containsString("[file/v2.1.0]"));
    ObjectNode noVersion = item.deepCopy();
    ((ObjectNode) noVersion.get("properties")).remove("version");
    assertThat(String.join("\n", StacSchemas.item(noVersion)), containsString("[version/v1.0.0]"));
    ObjectNode badDoi = item.deepCopy();
    ((ObjectNode) badDoi.get("properties")).put("sci:doi", "not-a-doi");
    badDoi.withArray("stac_extensions").add(Stac.SCIENTIFIC_EXT);
    assertThat(String.join("\n", StacSchemas.item(badDoi)), containsString("[scientific/v1.0.0]"));
    ObjectNode unknown = item.deepCopy();
    unknown.withArray("stac_extensions").add("https://example.org/ext/v1.0.0/schema.json");
    assertThat(StacSchemas.item(unknown), hasItem(containsString("no offline schema")));

    ObjectNode collection = cat.read().collections().get("alpha").deepCopy();
    assertThat(StacSchemas.collection(collection), is(empty()));
    collection.remove("license");
    assertThat(String.join("\n", StacSchemas.collection(collection)), containsString("license"));

    ObjectNode geo = CatalogParquet.geoMetadata(java.util.Set.of("Pointy"), new org.locationtech.jts.geom.Envelope(0, 1, 0, 1));
    assertThat(StacSchemas.geoMetadata(geo), is(not(empty())));
    ObjectNode meta = CatalogParquet.stacGeoparquetMetadata(java.util.Map.of());
    assertThat(StacSchemas.stacGeoparquetMetadata(meta), is(empty()));
    meta.put("version", "1.1.0"); // the spec text allows it, the published schema does not
    assertThat(StacSchemas.stacGeoparquetMetadata(meta), is(not(empty())));
  }

  @Test
  void staleOrMissingStaticFilesAndMissingAssetsAreProblems() throws Exception {
    assertThat(validate().text(), validate().ok(), is(true));
    Path itemFile = cat.dir().resolve(CatalogLinks.itemPath("alpha", "alpha-1.0.0"));
    ObjectNode edited = (ObjectNode) CanonicalJson.mapper().readTree(itemFile.toFile());
    ((ObjectNode) edited.get("properties")).put("title", "edited by hand");
    CanonicalJson.write(itemFile, edited);
    Files.delete(cat.dir().resolve("alpha/collection.json"));
    Files.delete(tmp.resolve("b/data.parquet"));
    CatalogValidator.Report r = validate();
    assertThat(r.ok(), is(false));
    List<String> p = r.problems();
    assertThat(p, hasItem(containsString("alpha/alpha-1.0.0/alpha-1.0.0.json: differs from what catalog.parquet gives")));
    assertThat(p, hasItem(containsString("alpha/collection.json: missing")));
    assertThat(p, hasItem(containsString("asset data: ../b/data.parquet: no such file")));
    assertThat(r.text(), containsString("NOT valid (3 problems)"));
  }
}
