package org.d4c.transforms.geoparquet;

import org.d4c.geoparquet.ParquetFooters;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validates the written {@code geo} metadata against the GeoParquet 1.1.0 JSON Schema (offline copies). */
class GeoMetadataSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonSchema schema;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadSchema() {
    // The GeoParquet schema $refs PROJJSON by URL; serve it from the test resources instead of the network.
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7, b -> b.schemaMappers(
        m -> m.mapPrefix("https://proj.org/schemas/v0.7/projjson.schema.json",
            "classpath:specs/projjson-v0.7.schema.json")));
    schema = factory.getSchema(SchemaLocation.of("classpath:specs/geoparquet-1.1.0/schema.json"));
  }

  private JsonNode geo(GeoParquetOptions options) throws Exception {
    Path file = dir.resolve("t.parquet");
    TestFeatures.write(file, options);
    return JSON.readTree(ParquetFooters.geoMetadata(file));
  }

  @Test
  void specExampleIsValid() throws Exception { // positive control, and our footer reader on an Arrow-written file
    Path example = Path.of(GeoMetadataSchemaTest.class.getResource("/specs/geoparquet-1.1.0/example.parquet").toURI());
    assertThat(schema.validate(JSON.readTree(ParquetFooters.geoMetadata(example))), is(empty()));
  }

  @Test
  void crs84MetadataIsValidAndOmitsCrs() throws Exception {
    JsonNode geo = geo(GeoParquetOptions.DEFAULTS);
    assertThat(schema.validate(geo), is(empty()));
    assertThat(geo.path("columns").path("geometry").has("crs"), is(false));
  }

  @Test
  void projectedCrsMetadataIsValid() throws Exception {
    JsonNode geo = geo(GeoParquetOptions.DEFAULTS.withCrsProjJson(TestFeatures.resource("/projjson/epsg-3347.json")));
    assertThat(geo.path("columns").path("geometry").path("crs").path("type").asText(), is("ProjectedCRS"));
    assertThat(schema.validate(geo), is(empty()));
  }

  @Test
  void validatorRejectsMissingPrimaryColumn() throws Exception {
    ObjectNode geo = (ObjectNode) geo(GeoParquetOptions.DEFAULTS);
    geo.remove("primary_column");
    Set<ValidationMessage> errors = schema.validate(geo);
    assertThat(errors, hasItem(hasToString(containsString("primary_column"))));
  }

  @Test
  void validatorRejectsBadGeometryTypeAndBadCrs() throws Exception {
    ObjectNode geo = (ObjectNode) geo(GeoParquetOptions.DEFAULTS);
    ObjectNode col = (ObjectNode) geo.path("columns").path("geometry");
    col.putArray("geometry_types").add("Pointy");
    assertThat(schema.validate(geo), is(not(empty())));

    // Proves the PROJJSON $ref is resolved and applied, not skipped: a real CRS without its axes is invalid.
    ObjectNode good = (ObjectNode) geo(
        GeoParquetOptions.DEFAULTS.withCrsProjJson(TestFeatures.resource("/projjson/epsg-3347.json")));
    ((ObjectNode) good.path("columns").path("geometry").path("crs")).remove("coordinate_system");
    assertThat(schema.validate(good), is(not(empty())));
  }
}
