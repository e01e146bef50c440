package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.BinaryOperator;
import org.d4c.core.json.CanonicalJson;

/**
 * The static STAC JSON beside catalog.parquet, for STAC Browser, pystac and anything that walks links:
 * {@code catalog.json}, {@code <collection>/collection.json}, {@code <collection>/latest.json} and
 * {@code <collection>/<id>/<id>.json}. Each file is the catalog's object with its relative hrefs rewritten to be
 * relative to that file ({@link #relocate}); {@link #toRoot} undoes it.
 */
public final class StaticCatalog {
  private StaticCatalog() {}

  /** The folder (catalog-root-relative, "" for the root) of a catalog-root-relative file path. */
  public static String dirOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  /** A copy of a catalog object (item, collection, catalog, latest pointer) as written to a file in {@code dir}. */
  public static ObjectNode relocate(JsonNode doc, String dir) {
    return rewrite(doc, dir, Hrefs::relocate);
  }

  /** The catalog object of a static JSON file read from {@code dir}. */
  public static ObjectNode toRoot(JsonNode doc, String dir) {
    return rewrite(doc, dir, Hrefs::toRoot);
  }

  /** The bytes of the file for {@code doc} at {@code path}: canonical JSON. */
  public static byte[] bytes(JsonNode doc, String path) {
    return CanonicalJson.toBytes(relocate(doc, dirOf(path)));
  }

  private static ObjectNode rewrite(JsonNode doc, String dir, BinaryOperator<String> f) {
    ObjectNode out = doc.deepCopy();
    if (out.path("href").isTextual()) out.put("href", f.apply(out.get("href").asText(), dir));
    for (JsonNode l : out.path("links")) fix(l, dir, f);
    for (JsonNode a : out.path("assets")) {
      fix(a, dir, f);
      for (JsonNode alt : a.path("alternate")) fix(alt, dir, f);
    }
    return out;
  }

  private static void fix(JsonNode o, String dir, BinaryOperator<String> f) {
    if (o instanceof ObjectNode on && on.path("href").isTextual()) on.put("href", f.apply(on.get("href").asText(), dir));
  }
}
