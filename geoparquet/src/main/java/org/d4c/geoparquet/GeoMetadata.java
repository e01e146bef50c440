package org.d4c.geoparquet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;

/**
 * The one builder of GeoParquet 1.1 {@code geo} file metadata, used by the dataset writer and the catalog: WKB
 * geometry, its types, the extent, the {@code bbox} covering struct, orientation and CRS. Keys come out in the
 * specification's order on every run (ObjectNode keeps insertion order), so the footer bytes are deterministic.
 */
public final class GeoMetadata {
  public static final String VERSION = "1.1.0";
  public static final String KEY = "geo";
  /** The covering struct column and its fields, as GeoParquet 1.1 recommends. */
  public static final String BBOX = "bbox";
  public static final List<String> BBOX_FIELDS = List.of("xmin", "ymin", "xmax", "ymax");

  private final String column;
  private Collection<String> geometryTypes = List.of();
  private double[] bbox;
  private boolean covering = true;
  private boolean counterclockwise;
  private JsonNode crs;

  private GeoMetadata(String column) {
    this.column = column;
  }

  /** Metadata for the primary geometry column {@code column}. */
  public static GeoMetadata forColumn(String column) {
    return new GeoMetadata(column);
  }

  /** The geometry types present, in the order to list them (callers pass a sorted set). */
  public GeoMetadata geometryTypes(Collection<String> types) {
    this.geometryTypes = types;
    return this;
  }

  /** The extent {xmin, ymin, xmax, ymax}; null for an empty file (then no bbox is written). */
  public GeoMetadata bbox(double xmin, double ymin, double xmax, double ymax) {
    this.bbox = new double[] {xmin, ymin, xmax, ymax};
    return this;
  }

  /** Whether the file has the {@code bbox} covering struct (default yes). */
  public GeoMetadata covering(boolean has) {
    this.covering = has;
    return this;
  }

  public GeoMetadata counterclockwise(boolean ccw) {
    this.counterclockwise = ccw;
    return this;
  }

  /** PROJJSON of the CRS, or null for OGC:CRS84 (the default GeoParquet assumes when crs is absent). */
  public GeoMetadata crs(JsonNode projjson) {
    this.crs = projjson;
    return this;
  }

  public ObjectNode toJson() {
    ObjectNode geo = JsonNodeFactory.instance.objectNode();
    geo.put("version", VERSION);
    geo.put("primary_column", column);
    ObjectNode col = geo.putObject("columns").putObject(column);
    col.put("encoding", "WKB");
    ArrayNode types = col.putArray("geometry_types");
    geometryTypes.forEach(types::add);
    if (bbox != null) col.putArray("bbox").add(bbox[0]).add(bbox[1]).add(bbox[2]).add(bbox[3]);
    if (covering) {
      ObjectNode c = col.putObject("covering").putObject(BBOX);
      for (String f : BBOX_FIELDS) c.putArray(f).add(BBOX).add(f);
    }
    if (counterclockwise) col.put("orientation", "counterclockwise");
    if (crs != null) col.set("crs", crs.deepCopy());
    return geo;
  }
}
