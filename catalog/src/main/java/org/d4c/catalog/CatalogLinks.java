package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.d4c.core.json.CanonicalJson;

/**
 * What the catalog derives from its items on every change: the links between an item, its collection, the root and
 * the other versions of the same dataset; each STAC Collection (extent = union of its versions, the latest version's
 * title, license, providers and keywords, the version history); the root Catalog. Paths are catalog-root-relative:
 * {@code <collection>/collection.json}, {@code <collection>/<item id>/<item id>.json}.
 */
public final class CatalogLinks {
  public static final String ROOT_FILE = "catalog.json";
  public static final String ROOT_ID = "d4c";
  public static final String ROOT_TITLE = "d4c catalog";
  public static final String LATEST_FILE = "latest.json";
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  /** Oldest version first (semantic version order, then id). */
  static final Comparator<JsonNode> VERSION_ORDER = Comparator
      .comparing((JsonNode i) -> i.path("properties").path("version").asText(""), Semver.ORDER)
      .thenComparing(i -> i.path("id").asText());

  private CatalogLinks() {}

  public static String itemDir(String collection, String id) {
    return collection + "/" + id;
  }

  public static String itemPath(String collection, String id) {
    return itemDir(collection, id) + "/" + id + ".json";
  }

  public static String collectionPath(String collection) {
    return collection + "/collection.json";
  }

  public static String latestPath(String collection) {
    return collection + "/" + LATEST_FILE;
  }

  /**
   * The version a user should take: the highest release that is not deprecated; failing that the highest
   * non-deprecated pre-release; failing that the highest version.
   */
  static JsonNode latest(List<? extends JsonNode> items) {
    List<JsonNode> sorted = new ArrayList<>(items);
    sorted.sort(VERSION_ORDER.reversed());
    for (JsonNode i : sorted) {
      if (!deprecated(i) && !i.path("properties").path("version").asText("").matches(".*-.*")) return i;
    }
    for (JsonNode i : sorted) if (!deprecated(i)) return i;
    return sorted.get(0);
  }

  private static boolean deprecated(JsonNode i) {
    return i.path("properties").path("deprecated").asBoolean(false);
  }

  /** The items of one collection with their derived links rewritten, oldest version first. */
  static List<ObjectNode> link(List<ObjectNode> items) {
    List<ObjectNode> sorted = new ArrayList<>(items);
    sorted.sort(VERSION_ORDER);
    JsonNode latest = latest(sorted);
    List<ObjectNode> out = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      ObjectNode item = sorted.get(i).deepCopy();
      String collection = item.path("collection").asText();
      ArrayNode links = NODES.arrayNode();
      links.addObject().put("rel", "root").put("href", ROOT_FILE).put("type", Stac.JSON).put("title", ROOT_TITLE);
      links.addObject().put("rel", "parent").put("href", collectionPath(collection)).put("type", Stac.JSON);
      links.addObject().put("rel", "collection").put("href", collectionPath(collection)).put("type", Stac.JSON);
      if (latest != sorted.get(i)) links.add(versionLink("latest-version", latest));
      if (i > 0) links.add(versionLink("predecessor-version", sorted.get(i - 1)));
      if (i < sorted.size() - 1) links.add(versionLink("successor-version", sorted.get(i + 1)));
      for (JsonNode l : item.path("links")) {
        if (!Stac.DERIVED_RELS.contains(l.path("rel").asText())) links.add(l);
      }
      item.set("links", links);
      out.add((ObjectNode) CanonicalJson.toTree(item));
    }
    return out;
  }

  private static ObjectNode versionLink(String rel, JsonNode target) {
    return NODES.objectNode().put("rel", rel)
        .put("href", itemPath(target.path("collection").asText(), target.path("id").asText()))
        .put("type", Stac.GEOJSON).put("title", target.path("properties").path("version").asText());
  }

  /** The STAC Collection of one dataset from all its versions (linked, oldest first). */
  static ObjectNode collection(String id, List<ObjectNode> unsorted) {
    List<ObjectNode> items = new ArrayList<>(unsorted);
    items.sort(VERSION_ORDER);
    JsonNode latest = latest(items);
    JsonNode lp = latest.path("properties");
    ObjectNode c = NODES.objectNode();
    c.put("type", "Collection");
    c.put("stac_version", Stac.VERSION);
    c.putArray("stac_extensions");
    c.put("id", id);
    String version = lp.path("version").asText();
    String title = lp.path("title").asText(id);
    if (title.endsWith(" " + version)) title = title.substring(0, title.length() - version.length() - 1);
    c.put("title", title);
    c.put("description", lp.path("description").asText(title));
    c.put("license", lp.path("license").asText("other"));
    if (lp.has("keywords")) c.set("keywords", lp.get("keywords").deepCopy());
    if (lp.has("providers")) c.set("providers", lp.get("providers").deepCopy());
    double[] box = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    Instant start = null;
    Instant end = null;
    for (JsonNode i : items) {
      JsonNode b = i.path("bbox");
      if (b.size() == 4) { // an item with a null geometry has no bbox and adds nothing to the extent
        box[0] = Math.min(box[0], b.get(0).doubleValue());
        box[1] = Math.min(box[1], b.get(1).doubleValue());
        box[2] = Math.max(box[2], b.get(2).doubleValue());
        box[3] = Math.max(box[3], b.get(3).doubleValue());
      }
      JsonNode p = i.path("properties");
      Instant s = CatalogParquet.parseInstant(p.path(p.path("datetime").isNull() ? "start_datetime" : "datetime").asText(""));
      Instant e = CatalogParquet.parseInstant(p.path(p.path("datetime").isNull() ? "end_datetime" : "datetime").asText(""));
      if (s != null && (start == null || s.isBefore(start))) start = s;
      if (e != null && (end == null || e.isAfter(end))) end = e;
    }
    if (box[0] > box[2]) {
      // Every item has a null geometry. STAC 1.1 requires extent.spatial.bbox (four numbers), and an item without
      // location is not about any part of the Earth more than another: the whole world, as for global data.
      box = new double[] {-180, -90, 180, 90};
    }
    ObjectNode extent = c.putObject("extent");
    extent.putObject("spatial").putArray("bbox").addArray().add(box[0]).add(box[1]).add(box[2]).add(box[3]);
    ArrayNode interval = extent.putObject("temporal").putArray("interval").addArray();
    if (start == null) interval.addNull(); else interval.add(CatalogParquet.formatInstant(start));
    if (end == null) interval.addNull(); else interval.add(CatalogParquet.formatInstant(end));
    ArrayNode versions = c.putObject("summaries").putArray("version");
    for (JsonNode i : items) versions.add(i.path("properties").path("version").asText());
    ArrayNode links = c.putArray("links");
    links.addObject().put("rel", "root").put("href", ROOT_FILE).put("type", Stac.JSON).put("title", ROOT_TITLE);
    links.addObject().put("rel", "parent").put("href", ROOT_FILE).put("type", Stac.JSON).put("title", ROOT_TITLE);
    links.add(versionLink("latest-version", latest));
    for (JsonNode l : latest.path("links")) {
      if (l.path("rel").asText().equals("license")) links.add(l.deepCopy());
    }
    ObjectNode mirror = c.putObject("assets").putObject("geoparquet");
    mirror.put("href", CatalogParquet.FILE_NAME);
    mirror.put("type", Stac.PARQUET);
    mirror.put("title", "This catalog as stac-geoparquet");
    mirror.put("description", "Every item of every collection of this catalog, one row each (stac-geoparquet "
        + CatalogParquet.STAC_GEOPARQUET_VERSION + ", GeoParquet " + CatalogParquet.GEOPARQUET_VERSION
        + ", rows sorted by collection then id); filter on collection = '" + id + "'");
    mirror.putArray("roles").add("collection-mirror");
    return (ObjectNode) CanonicalJson.toTree(c);
  }

  /**
   * The collection as written to {@code collection.json}: with an {@code item} link to every version (oldest first),
   * so link-walking tools find the items. The copy in catalog.parquet's metadata has none: there the items are the rows.
   */
  static ObjectNode withItemLinks(JsonNode collection, List<? extends JsonNode> unsorted) {
    List<JsonNode> items = new ArrayList<>(unsorted);
    items.sort(VERSION_ORDER);
    ObjectNode c = collection.deepCopy();
    ArrayNode links = NODES.arrayNode();
    for (JsonNode l : collection.path("links")) {
      links.add(l);
      if (l.path("rel").asText().equals("latest-version")) {
        for (JsonNode i : items) {
          links.addObject().put("rel", "item").put("href", itemPath(i.path("collection").asText(), i.path("id").asText()))
              .put("type", Stac.GEOJSON).put("title", i.path("properties").path("version").asText());
        }
      }
    }
    c.set("links", links);
    return (ObjectNode) CanonicalJson.toTree(c);
  }

  /** The root Catalog, linking every collection. */
  static ObjectNode rootCatalog(Map<String, ObjectNode> collections) {
    ObjectNode c = NODES.objectNode();
    c.put("type", "Catalog");
    c.put("stac_version", Stac.VERSION);
    c.putArray("stac_extensions");
    c.put("id", ROOT_ID);
    c.put("title", ROOT_TITLE);
    c.put("description", "Open geospatial datasets built reproducibly by d4c: one collection per dataset, one item per"
        + " dataset version. The same items are in catalog.parquet (stac-geoparquet) beside this file.");
    ArrayNode links = c.putArray("links");
    links.addObject().put("rel", "root").put("href", ROOT_FILE).put("type", Stac.JSON).put("title", ROOT_TITLE);
    collections.forEach((id, col) -> links.addObject().put("rel", "child").put("href", collectionPath(id))
        .put("type", Stac.JSON).put("title", col.path("title").asText(id)));
    return (ObjectNode) CanonicalJson.toTree(c);
  }

  /** {@code <collection>/latest.json}: a small pointer for tools that follow a dataset. */
  static ObjectNode latestPointer(String collection, JsonNode latest) {
    ObjectNode p = NODES.objectNode();
    p.put("collection", collection);
    p.put("id", latest.path("id").asText());
    p.put("version", latest.path("properties").path("version").asText());
    p.put("href", itemPath(collection, latest.path("id").asText()));
    p.put("manifest_checksum", latest.path("assets").path(ItemFactory.MANIFEST_ASSET).path("file:checksum").asText());
    return (ObjectNode) CanonicalJson.toTree(p);
  }
}
