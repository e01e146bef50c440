package org.d4c.transforms.geoparquet;

import java.io.Serializable;

/**
 * How {@link GeoParquetWriter} lays out a file. Immutable; start from {@link #DEFAULTS} and use the {@code with*}
 * methods.
 *
 * @param rowGroupRows rows per row group (the last one may be smaller); the byte size never decides
 * @param zstdLevel zstd compression level of every column chunk
 * @param crsProjJson the CRS as a PROJJSON object, or null for OGC:CRS84 (then the {@code crs} key is omitted, which
 *     GeoParquet defines as OGC:CRS84)
 * @param orientationCounterclockwise the caller guarantees counterclockwise exterior rings (and clockwise holes), so
 *     {@code "orientation": "counterclockwise"} is written
 * @param nativeGeometryType also annotate the geometry column with Parquet's own GEOMETRY logical type (readers that
 *     know it get native geospatial statistics; others still see WKB bytes)
 * @param createdBy name of the writing application, stored as the {@code writer.model.name} key-value entry.
 *     Parquet's own footer field {@code created_by} is fixed by parquet-java ("parquet-mr version 1.18.1 (build …)")
 *     and cannot be set; it is constant per library version, so files stay deterministic.
 */
public record GeoParquetOptions(int rowGroupRows, int zstdLevel, String crsProjJson, boolean orientationCounterclockwise,
    boolean nativeGeometryType, String createdBy) implements Serializable {

  public static final GeoParquetOptions DEFAULTS = new GeoParquetOptions(100_000, 3, null, true, false, "d4c");

  public GeoParquetOptions {
    if (rowGroupRows < 1) {
      throw new IllegalArgumentException("rowGroupRows must be >= 1: " + rowGroupRows);
    }
    if (zstdLevel < -7 || zstdLevel > 22) {
      throw new IllegalArgumentException("zstdLevel must be in -7..22: " + zstdLevel);
    }
  }

  public GeoParquetOptions withRowGroupRows(int v) {
    return new GeoParquetOptions(v, zstdLevel, crsProjJson, orientationCounterclockwise, nativeGeometryType, createdBy);
  }

  public GeoParquetOptions withZstdLevel(int v) {
    return new GeoParquetOptions(rowGroupRows, v, crsProjJson, orientationCounterclockwise, nativeGeometryType, createdBy);
  }

  /** PROJJSON of the CRS; null means OGC:CRS84. */
  public GeoParquetOptions withCrsProjJson(String v) {
    return new GeoParquetOptions(rowGroupRows, zstdLevel, v, orientationCounterclockwise, nativeGeometryType, createdBy);
  }

  public GeoParquetOptions withOrientationCounterclockwise(boolean v) {
    return new GeoParquetOptions(rowGroupRows, zstdLevel, crsProjJson, v, nativeGeometryType, createdBy);
  }

  public GeoParquetOptions withNativeGeometryType(boolean v) {
    return new GeoParquetOptions(rowGroupRows, zstdLevel, crsProjJson, orientationCounterclockwise, v, createdBy);
  }

  public GeoParquetOptions withCreatedBy(String v) {
    return new GeoParquetOptions(rowGroupRows, zstdLevel, crsProjJson, orientationCounterclockwise, nativeGeometryType, v);
  }
}
