package org.d4c.catalog;

import java.util.List;

/** STAC versions, extension URLs, media types and link relations used by the catalog. */
public final class Stac {
  public static final String VERSION = "1.1.0";
  public static final String FILE_EXT = "https://stac-extensions.github.io/file/v2.1.0/schema.json";
  public static final String PROCESSING_EXT = "https://stac-extensions.github.io/processing/v1.1.0/schema.json";
  public static final String VERSION_EXT = "https://stac-extensions.github.io/version/v1.0.0/schema.json";
  public static final String SCIENTIFIC_EXT = "https://stac-extensions.github.io/scientific/v1.0.0/schema.json";
  public static final String ALTERNATE_EXT = "https://stac-extensions.github.io/alternate-assets/v1.1.0/schema.json";
  /** Every extension d4c writes, with the resource holding its offline schema. */
  public static final List<String> EXTENSIONS = List.of(FILE_EXT, PROCESSING_EXT, VERSION_EXT, SCIENTIFIC_EXT, ALTERNATE_EXT);

  public static final String PARQUET = "application/vnd.apache.parquet";
  public static final String JSON = "application/json";
  public static final String GEOJSON = "application/geo+json";
  public static final String NDJSON = "application/x-ndjson";

  /** Link relations the catalog derives (and rewrites) on every change; every other link is kept as added. */
  public static final List<String> DERIVED_RELS = List.of(
      "root", "parent", "collection", "latest-version", "predecessor-version", "successor-version");

  private Stac() {}
}
