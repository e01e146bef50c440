package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.parquet.schema.MessageType;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.hash.Hashing;

/**
 * Checks a catalog: every item and collection against the STAC 1.1.0 schemas and the schemas of the extensions they
 * declare; the {@code geo} file metadata against GeoParquet 1.1.0 and the {@code stac-geoparquet} metadata against
 * its schema; the shape of catalog.parquet (required columns, unique ids, row order); that the collections and the
 * static JSON files are exactly what the items give (a parquet row turned back into STAC JSON is the item file,
 * byte for byte); and, for a local catalog, that the asset files exist with their recorded size (and checksum).
 */
public final class CatalogValidator {
  /** What was checked and every problem found; {@code warnings} do not make the catalog invalid. */
  public record Report(String location, int items, int collections, int files, List<String> problems, List<String> warnings) {
    public boolean ok() {
      return problems.isEmpty();
    }

    public String text() {
      StringBuilder sb = new StringBuilder();
      problems.forEach(p -> sb.append("  problem: ").append(p).append('\n'));
      warnings.forEach(w -> sb.append("  warning: ").append(w).append('\n'));
      sb.append(ok() ? "Valid: " : "NOT valid (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "): ")
          .append(location).append(": ").append(items).append(" items, ").append(collections).append(" collections, ")
          .append(files).append(" JSON files checked against STAC 1.1.0 and the extension schemas; catalog.parquet against")
          .append(" GeoParquet 1.1.0 and stac-geoparquet ").append(CatalogParquet.STAC_GEOPARQUET_VERSION);
      return sb.toString();
    }
  }

  private static final int MAX_LISTED = 200;

  private CatalogValidator() {}

  /**
   * @param checkAssets also check that local asset files exist with their {@code file:size}
   * @param checksums also hash them against {@code file:checksum} (reads every byte)
   */
  public static Report validate(CatalogSource src, boolean checkAssets, boolean checksums) {
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    List<String> warnings = new ArrayList<>();
    String pq = CatalogParquet.FILE_NAME;
    Path parquet = src.parquet();
    CatalogParquet.Contents c;
    try {
      c = CatalogParquet.read(parquet);
    } catch (CatalogException e) {
      return new Report(src.location(), 0, 0, 0, e.problems(), List.of());
    }

    // File metadata: geo and stac-geoparquet, each against its schema.
    JsonNode geo = json(c.keyValue().get("geo"), pq + ": geo", problems);
    if (geo != null) {
      StacSchemas.geoMetadata(geo).forEach(p -> problems.add(pq + ": " + p));
      JsonNode col = geo.path("columns").path(geo.path("primary_column").asText());
      if (!geo.path("primary_column").asText().equals("geometry")) problems.add(pq + ": geo primary_column must be \"geometry\"");
      if (!col.path("encoding").asText().equals("WKB")) problems.add(pq + ": geo geometry encoding must be WKB");
      for (String f : ItemColumns.BBOX_FIELDS) {
        if (!col.path("covering").path("bbox").path(f).toString().equals("[\"bbox\",\"" + f + "\"]")) {
          problems.add(pq + ": geo covering.bbox." + f + " must be [\"bbox\",\"" + f + "\"]");
        }
      }
    }
    JsonNode meta = json(c.keyValue().get(CatalogParquet.METADATA_KEY), pq + ": " + CatalogParquet.METADATA_KEY, problems);
    if (meta != null) {
      StacSchemas.stacGeoparquetMetadata(meta).forEach(p -> problems.add(pq + ": " + p));
      meta.path("collections").fields().forEachRemaining(e -> {
        if (!e.getKey().equals(e.getValue().path("id").asText())) {
          problems.add(pq + ": " + CatalogParquet.METADATA_KEY + ".collections." + e.getKey() + ": key differs from the collection id \""
              + e.getValue().path("id").asText() + "\"");
        }
      });
    }
    MessageType schema = c.schema();
    for (String required : List.of("stac_extensions", "id", "geometry", "bbox", "links", "assets")) {
      if (!schema.containsField(required)) problems.add(pq + ": required stac-geoparquet column \"" + required + "\" is missing");
    }
    if (schema.containsField("datetime") && !(schema.getType("datetime").getLogicalTypeAnnotation()
        instanceof org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation)) {
      problems.add(pq + ": datetime must be a native timestamp column");
    }

    // Items: unique, in order, valid.
    Set<String> ids = new HashSet<>();
    Comparator<JsonNode> order = Comparator.comparing((JsonNode i) -> i.path("collection").asText()).thenComparing(i -> i.path("id").asText());
    for (int r = 0; r < c.items().size(); r++) {
      ObjectNode i = c.items().get(r);
      String id = i.path("id").asText();
      if (!ids.add(id)) problems.add(pq + ": row " + r + ": duplicate item id " + id);
      if (r > 0 && order.compare(c.items().get(r - 1), i) > 0) problems.add(pq + ": row " + r + ": rows are not sorted by collection then id");
      if (!c.collections().containsKey(i.path("collection").asText())) {
        problems.add(pq + ": item " + id + ": collection \"" + i.path("collection").asText() + "\" is not in the " + CatalogParquet.METADATA_KEY + " metadata");
      }
    }
    int modulus = RowGroups.modulus();
    if (!RowGroups.marker(modulus).equals(c.keyValue().get(RowGroups.MARKER_KEY))) {
      warnings.add(pq + ": row groups are not cut by d4c's rule (" + RowGroups.marker(modulus) + "); the next add rewrites the file whole");
    } else {
      int r = 0;
      for (int g = 0; g < c.rowGroupRows().size(); g++) {
        for (long k = 0; k < c.rowGroupRows().get(g); k++, r++) {
          boolean boundary = RowGroups.isBoundary(c.items().get(r), modulus);
          if (k == 0 && r > 0 && !boundary) problems.add(pq + ": row " + r + " starts row group " + g + " but is not a boundary row");
          if (k > 0 && boundary) problems.add(pq + ": row " + r + " is a boundary row inside row group " + g);
        }
      }
    }
    // Schema checks in parallel; the results are collected in item order, so the report does not depend on threads.
    List<List<String>> perItem = c.items().parallelStream().map(StacSchemas::item).toList();
    for (int k = 0; k < perItem.size(); k++) {
      String where = pq + ": item " + c.items().get(k).path("id").asText() + ": ";
      for (String p : perItem.get(k)) (p.contains("no offline schema") ? warnings : problems).add(where + p);
    }

    // Collections: valid, and what the items give.
    Map<String, List<ObjectNode>> byCollection = new TreeMap<>();
    for (ObjectNode i : c.items()) byCollection.computeIfAbsent(i.path("collection").asText(), k -> new ArrayList<>()).add(i);
    for (Map.Entry<String, ObjectNode> e : c.collections().entrySet()) {
      StacSchemas.collection(e.getValue()).forEach(p -> problems.add(pq + ": collection " + e.getKey() + ": " + p));
      List<ObjectNode> items = byCollection.getOrDefault(e.getKey(), List.of());
      if (items.isEmpty()) {
        problems.add(pq + ": collection " + e.getKey() + " has no items");
        continue;
      }
      List<ObjectNode> sorted = new ArrayList<>(items);
      sorted.sort(CatalogLinks.VERSION_ORDER);
      if (!CatalogLinks.collection(e.getKey(), sorted).equals(e.getValue())) {
        problems.add(pq + ": collection " + e.getKey() + " is out of date with its items (re-run ./d4c catalog add)");
      }
      if (!CatalogLinks.link(sorted).equals(sorted)) {
        problems.add(pq + ": collection " + e.getKey() + ": the version links of its items are out of date (re-run ./d4c catalog add)");
      }
    }

    // Static JSON: exactly what catalog.parquet gives.
    int[] files = {0};
    ObjectNode root = CatalogLinks.rootCatalog(c.collections());
    checkFile(src, CatalogLinks.ROOT_FILE, root, "catalog", problems, files);
    for (Map.Entry<String, ObjectNode> e : c.collections().entrySet()) {
      List<ObjectNode> items = byCollection.getOrDefault(e.getKey(), List.of());
      checkFile(src, CatalogLinks.collectionPath(e.getKey()), CatalogLinks.withItemLinks(e.getValue(), items), "collection", problems, files);
      if (!items.isEmpty()) checkFile(src, CatalogLinks.latestPath(e.getKey()), CatalogLinks.latestPointer(e.getKey(), CatalogLinks.latest(items)), null, problems, files);
    }
    for (ObjectNode i : c.items()) {
      checkFile(src, CatalogLinks.itemPath(i.path("collection").asText(), i.path("id").asText()), i, "item", problems, files);
    }

    if (checkAssets && !src.isRemote()) checkAssets(src.dir(), c.items(), checksums, problems, warnings);
    // Sorted before truncation, so the same catalog always lists the same problems in the same order.
    List<String> sortedProblems = new ArrayList<>(problems);
    Collections.sort(sortedProblems);
    List<String> sortedWarnings = new ArrayList<>(warnings);
    Collections.sort(sortedWarnings);
    if (sortedProblems.size() > MAX_LISTED) {
      int more = sortedProblems.size() - MAX_LISTED;
      sortedProblems = new ArrayList<>(sortedProblems.subList(0, MAX_LISTED));
      sortedProblems.add("... and " + more + " more problems");
    }
    return new Report(src.location(), c.items().size(), c.collections().size(), files[0], sortedProblems, sortedWarnings);
  }

  private static void checkFile(CatalogSource src, String path, JsonNode expected, String kind, List<String> problems, int[] files) {
    Path f = src.file(path);
    if (f == null) {
      problems.add(path + ": missing (every " + (kind == null ? "collection" : kind) + " in catalog.parquet has one)");
      return;
    }
    files[0]++;
    byte[] want = StaticCatalog.bytes(expected, path);
    byte[] got;
    try {
      got = Files.readAllBytes(f);
    } catch (IOException e) {
      problems.add(path + ": cannot read: " + e.getMessage());
      return;
    }
    if (Arrays.equals(want, got)) return;
    JsonNode doc;
    try {
      doc = CanonicalJson.mapper().readTree(got);
    } catch (IOException e) {
      problems.add(path + ": not JSON: " + e.getMessage());
      return;
    }
    if (kind != null) {
      List<String> p = switch (kind) {
        case "item" -> StacSchemas.item(doc);
        case "collection" -> StacSchemas.collection(doc);
        default -> StacSchemas.catalog(doc);
      };
      p.forEach(x -> problems.add(path + ": " + x));
    }
    problems.add(path + ": differs from what catalog.parquet gives (stale or edited by hand; re-run ./d4c catalog add)");
  }

  private static void checkAssets(Path dir, List<ObjectNode> items, boolean checksums, List<String> problems, List<String> warnings) {
    for (ObjectNode i : items) {
      i.path("assets").fields().forEachRemaining(e -> {
        String href = e.getValue().path("href").asText();
        String where = "item " + i.path("id").asText() + ": asset " + e.getKey();
        if (Hrefs.isAbsolute(href)) return;
        Path f = dir.resolve(java.net.URI.create(href).getPath()).normalize();
        try {
          if (!Files.isRegularFile(f)) {
            problems.add(where + ": " + href + ": no such file (from the catalog folder)");
          } else if (Files.size(f) != e.getValue().path("file:size").asLong(-1)) {
            problems.add(where + ": " + f + ": " + Files.size(f) + " bytes, file:size says " + e.getValue().path("file:size").asLong());
          } else if (checksums && !Multihash.sha256(Hashing.sha256(f)).equals(e.getValue().path("file:checksum").asText())) {
            problems.add(where + ": " + f + ": sha256 differs from file:checksum");
          }
        } catch (IOException x) {
          problems.add(where + ": cannot read " + f + ": " + x.getMessage());
        }
      });
    }
  }

  private static JsonNode json(String text, String where, List<String> problems) {
    if (text == null) {
      problems.add(where + ": missing");
      return null;
    }
    try {
      return CanonicalJson.mapper().readTree(text);
    } catch (IOException e) {
      problems.add(where + ": not JSON: " + e.getMessage());
      return null;
    }
  }
}
