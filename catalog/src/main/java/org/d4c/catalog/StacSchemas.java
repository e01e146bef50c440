package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.d4c.core.json.SchemaCheck;

/**
 * The JSON Schemas the catalog is checked against, all shipped in this module (the machines have no internet):
 * STAC 1.1.0 item, collection and catalog; the STAC extensions d4c uses; GeoParquet 1.1.0 {@code geo} metadata;
 * stac-geoparquet file metadata. Every URL they reference is mapped to a class path copy, never fetched.
 */
public final class StacSchemas {
  private static final String BASE = "classpath:org/d4c/catalog/schemas/";
  // draft-07 plus "deprecated" (used by the stac-geoparquet schema) as a plain annotation, not an unknown keyword.
  private static final JsonMetaSchema DRAFT7 = JsonMetaSchema.builder(JsonMetaSchema.getV7())
      .keyword(new AnnotationKeyword("deprecated")).build();
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
      b -> b.metaSchema(DRAFT7).schemaMappers(m -> m
          .mapPrefix("https://schemas.stacspec.org/v1.1.0/", BASE + "stac/v1.1.0/")
          .mapPrefix("https://geojson.org/schema/", BASE + "geojson/")
          .mapPrefix("https://proj.org/schemas/v0.7/", BASE + "projjson/v0.7/")));
  private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  // Each schema is loaded (and its $refs resolved) the first time it is used, in its own holder class: a command
  // that checks items only does not pay for the GeoParquet or stac-geoparquet schemas (cold start of `catalog add`).
  private static final class ItemSchema { static final JsonSchema S = load(BASE + "stac/v1.1.0/item-spec/json-schema/item.json"); }
  private static final class CollectionSchema { static final JsonSchema S = load(BASE + "stac/v1.1.0/collection-spec/json-schema/collection.json"); }
  private static final class CatalogSchema { static final JsonSchema S = load(BASE + "stac/v1.1.0/catalog-spec/json-schema/catalog.json"); }
  private static final class GeoSchema { static final JsonSchema S = load(BASE + "geoparquet/v1.1.0/schema.json"); }
  private static final class StacGeoparquetSchema { static final JsonSchema S = load(BASE + "stac-geoparquet/metadata.schema.json"); }
  private static final Map<String, String> EXTENSION_FILES = new TreeMap<>(Map.of(
      Stac.FILE_EXT, "extensions/file/v2.1.0/schema.json",
      Stac.PROCESSING_EXT, "extensions/processing/v1.1.0/schema.json",
      Stac.VERSION_EXT, "extensions/version/v1.0.0/schema.json",
      Stac.SCIENTIFIC_EXT, "extensions/scientific/v1.0.0/schema.json",
      Stac.ALTERNATE_EXT, "extensions/alternate-assets/v1.1.0/schema.json"));
  private static final Map<String, JsonSchema> EXTENSIONS = new ConcurrentHashMap<>();

  private StacSchemas() {}

  private static JsonSchema load(String location) {
    JsonSchema s = FACTORY.getSchema(SchemaLocation.of(location), CONFIG);
    s.initializeValidators(); // resolve every $ref now: a missing offline copy fails here, not mid-validation
    return s;
  }

  /** Problems of a STAC Item: the core schema, then every extension it declares. */
  public static List<String> item(JsonNode item) {
    List<String> out = check(ItemSchema.S, item, "");
    out.addAll(extensions(item));
    return out;
  }

  public static List<String> collection(JsonNode collection) {
    List<String> out = check(CollectionSchema.S, collection, "");
    out.addAll(extensions(collection));
    return out;
  }

  public static List<String> catalog(JsonNode catalog) {
    List<String> out = check(CatalogSchema.S, catalog, "");
    out.addAll(extensions(catalog));
    return out;
  }

  public static List<String> geoMetadata(JsonNode geo) {
    return check(GeoSchema.S, geo, "geo");
  }

  public static List<String> stacGeoparquetMetadata(JsonNode meta) {
    return check(StacGeoparquetSchema.S, meta, CatalogParquet.METADATA_KEY);
  }

  public static boolean knows(String extension) {
    return EXTENSION_FILES.containsKey(extension);
  }

  private static List<String> extensions(JsonNode doc) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : doc.path("stac_extensions")) {
      String file = EXTENSION_FILES.get(e.asText());
      JsonSchema s = file == null ? null : EXTENSIONS.computeIfAbsent(file, f -> load(BASE + f));
      if (s == null) out.add("stac_extensions: no offline schema for " + e.asText() + " (not checked)");
      else out.addAll(check(s, doc, "[" + e.asText().replaceAll("^https://stac-extensions.github.io/", "").replace("/schema.json", "") + "]"));
    }
    return out;
  }

  private static List<String> check(JsonSchema schema, JsonNode doc, String prefix) {
    List<ValidationMessage> ms = new ArrayList<>(schema.validate(doc));
    ms.sort(Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString()).thenComparing(ValidationMessage::getMessage));
    List<String> out = new ArrayList<>();
    for (ValidationMessage m : ms) {
      String where = SchemaCheck.fieldPath(m.getInstanceLocation());
      String line = (prefix.isEmpty() ? "" : prefix + " ") + (where.isEmpty() ? "(top level)" : where) + ": " + m.getError();
      if (!out.contains(line)) out.add(line);
    }
    return out;
  }
}
