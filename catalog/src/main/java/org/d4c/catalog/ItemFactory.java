package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.lock.OutputCheck;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;

/**
 * Turns a verified build folder into its STAC Item: id {@code <dataset>-<version>}, footprint and bbox from the data
 * (a build of only tables: the recipe's declared {@code footprint}, else a null geometry and no bbox),
 * datetime (or start/end) from the recipe, the version, processing (lineage: sources, code commit; software versions)
 * and, once a DOI is given, scientific fields; one asset per output file plus the manifest, each with
 * {@code file:size} and a SHA2-256 multihash {@code file:checksum}. Links to the collection, the root and the other
 * versions are added by {@link CatalogLinks}; hrefs here are relative to the catalog folder (see {@link Hrefs}).
 */
public final class ItemFactory {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
  private static final Pattern DOI = Pattern.compile("^10\\.[0-9a-zA-Z]{4,}/[^\\s]+$");
  public static final String MANIFEST_ASSET = "manifest";

  /**
   * What the catalog adds on top of the build.
   *
   * @param hrefBase where the build's files are reachable, with {dataset} and {version} expanded; null for the
   *     relative path from the catalog folder to the build folder
   * @param doi a DOI of this version (10.xxxx/...), or null
   * @param citation a recommended citation, or null
   */
  public record Options(String hrefBase, String doi, String citation) {
    public static final Options DEFAULTS = new Options(null, null, null);

    public Options {
      if (doi != null) {
        doi = doi.replaceFirst("^(https?://(dx\\.)?doi\\.org/|doi:)", "");
        if (!DOI.matcher(doi).matches()) {
          throw new CatalogException("--doi", "expected a DOI like 10.5281/zenodo.1234567, got \"" + doi + "\"");
        }
      }
      if (citation != null && citation.isBlank()) citation = null;
    }

    public Options withHrefBase(String v) {
      return new Options(v, doi, citation);
    }

    public Options withDoi(String v) {
      return new Options(hrefBase, v, citation);
    }

    public Options withCitation(String v) {
      return new Options(hrefBase, doi, v);
    }
  }

  /** The item and the facts {@link Catalog} needs about it. */
  public record Built(ObjectNode item, Manifest manifest, String manifestChecksum) {}

  private ItemFactory() {}

  /** The STAC item id of a dataset version: URL-safe, stable, {@code ca-provinces-1.0.0} ("+" becomes "_"). */
  public static String itemId(String dataset, String version) {
    return dataset + "-" + version.replace('+', '_');
  }

  /**
   * Reads {@code buildDir/manifest.json}, checks every output against it, and builds the item.
   *
   * @param catalogDir the catalog folder (for the default relative hrefs)
   */
  public static Built build(Path buildDir, Path catalogDir, Options options) {
    Path manifestFile = buildDir.resolve(Manifests.FILE_NAME);
    if (!Files.isDirectory(buildDir)) throw new CatalogException(buildDir.toString(), "not a folder");
    if (!Files.isRegularFile(manifestFile)) {
      throw new CatalogException(buildDir.toString(), "no manifest.json: not a d4c build folder (build it with ./d4c build)");
    }
    Manifest m = Manifests.read(manifestFile);
    List<OutputCheck.Result> check = OutputCheck.compare(m, buildDir);
    List<String> bad = check.stream().filter(r -> !r.ok()).map(OutputCheck.Result::toString).toList();
    if (!bad.isEmpty()) {
      List<String> problems = new ArrayList<>();
      problems.add("the files do not match manifest.json (the build was changed after it was locked); rebuild it");
      problems.addAll(bad);
      throw new CatalogException(buildDir.toString(), problems);
    }
    String manifestSha = Hashing.sha256(manifestFile);
    long manifestSize;
    try {
      manifestSize = Files.size(manifestFile);
    } catch (java.io.IOException e) {
      throw new CatalogException(manifestFile.toString(), "cannot read: " + e.getMessage());
    }

    String base = options.hrefBase() == null ? Hrefs.defaultBase(catalogDir, buildDir)
        : Hrefs.expand(options.hrefBase(), m.dataset(), m.version());
    List<Path> dataFiles = new ArrayList<>();
    for (Manifest.OutputFile o : m.outputs()) {
      if (Manifest.OutputFile.DATA.equals(o.role()) && Manifest.OutputFile.PARQUET.equals(o.mediaType())) {
        dataFiles.add(buildDir.resolve(o.path()));
      }
    }
    if (dataFiles.isEmpty()) throw new CatalogException(manifestFile.toString(), "outputs: no Parquet data file to catalog");
    Object crs = m.parameters().get("crs");
    Geometry footprint;
    try {
      footprint = Footprint.of(dataFiles, crs == null ? null : crs.toString());
    } catch (CatalogException e) {
      throw new CatalogException(buildDir.toString(), e.getMessage());
    }
    // Only tables: the geography the recipe declares, else no geometry (STAC allows a null geometry, without bbox).
    // With spatial outputs their data is the footprint and a declared one is not used: the data is more exact.
    if (footprint == null) footprint = Footprint.declared(m.recipe(), manifestFile.toString());

    ObjectNode item = NODES.objectNode();
    item.put("type", "Feature");
    item.put("stac_version", Stac.VERSION);
    item.put("id", itemId(m.dataset(), m.version()));
    item.put("collection", m.dataset());
    if (footprint == null) {
      item.putNull("geometry");
    } else {
      item.set("geometry", GeoJson.toJson(footprint));
      Envelope env = footprint.getEnvelopeInternal();
      item.putArray("bbox").add(env.getMinX()).add(env.getMinY()).add(env.getMaxX()).add(env.getMaxY());
    }
    item.set("properties", properties(m, manifestFile, options));
    item.set("links", coreLinks(m, options));
    java.util.Set<String> tables = new TreeSet<>();
    for (Path f : dataFiles) if (Footprint.isTable(f)) tables.add(buildDir.relativize(f).toString().replace('\\', '/'));
    item.set("assets", assets(m, base, manifestSha, manifestSize, tables));
    item.set("stac_extensions", extensions(item));
    return new Built((ObjectNode) CanonicalJson.toTree(item), m, Multihash.sha256(manifestSha));
  }

  private static ObjectNode properties(Manifest m, Path manifestFile, Options options) {
    JsonNode r = m.recipe();
    ObjectNode p = NODES.objectNode();
    p.put("title", m.title() + " " + m.version());
    String description = r.path("description").asText(null);
    if (description != null && !description.isBlank()) p.put("description", description);
    String dt = r.path("datetime").asText(null);
    String start = r.path("start_datetime").asText(null);
    String end = r.path("end_datetime").asText(null);
    if (dt != null) {
      p.put("datetime", instant(dt, false, manifestFile, "recipe.datetime"));
    } else if (start != null && end != null) {
      p.putNull("datetime");
      p.put("start_datetime", instant(start, false, manifestFile, "recipe.start_datetime"));
      p.put("end_datetime", instant(end, true, manifestFile, "recipe.end_datetime"));
    } else {
      throw new CatalogException(manifestFile.toString(), "recipe.datetime: missing; a STAC item needs `datetime`"
          + " (or `start_datetime` and `end_datetime`): add it to the recipe (YYYY-MM-DD) and build again");
    }
    p.put("license", m.license());
    if (r.path("keywords").isArray() && r.path("keywords").size() > 0) p.set("keywords", r.get("keywords").deepCopy());
    if (r.path("providers").isArray() && r.path("providers").size() > 0) p.set("providers", r.get("providers").deepCopy());
    p.put("version", m.version());
    p.put("deprecated", false);
    p.put("processing:lineage", lineage(m));
    ObjectNode software = p.putObject("processing:software");
    m.resolvedDependencies().environment().software().forEach(software::put);
    if (options.doi() != null) p.put("sci:doi", options.doi());
    if (options.citation() != null) p.put("sci:citation", options.citation());
    return p;
  }

  /** A recipe date (YYYY-MM-DD: start of day, or end of day for an end) or date-time, as RFC 3339 UTC. */
  static String instant(String value, boolean endOfDay, Path file, String field) {
    try {
      if (value.length() == 10) {
        LocalDate d = LocalDate.parse(value);
        Instant t = endOfDay ? d.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusSeconds(1)
            : d.atStartOfDay().toInstant(ZoneOffset.UTC);
        return CatalogParquet.formatInstant(t);
      }
    } catch (java.time.format.DateTimeParseException e) {
      // reported below
    }
    Instant t = CatalogParquet.parseInstant(value);
    if (t == null) throw new CatalogException(file.toString(), field + ": expected YYYY-MM-DD or an RFC 3339 date-time, got \"" + value + "\"");
    return CatalogParquet.formatInstant(t);
  }

  static String lineage(Manifest m) {
    StringBuilder sb = new StringBuilder("Built by d4c (").append(m.buildType()).append(") from the recipe ")
        .append(m.recipePath()).append(". Sources: ");
    List<String> sources = new ArrayList<>();
    for (Manifest.SourceDigest s : m.resolvedDependencies().sources()) {
      sources.add(s.id() + " (sha256 " + s.sha256() + ", " + s.size() + " bytes, from " + String.join(" or ", s.urls()) + ")");
    }
    sb.append(String.join("; ", sources)).append(". Code: commit ").append(m.resolvedDependencies().code().commit())
        .append(m.resolvedDependencies().code().dirty() ? " with uncommitted changes" : "").append(". ");
    if (m.rejects().total() > 0) sb.append(m.rejects().total()).append(" records were rejected (see the rejects asset). ");
    sb.append("manifest.json locks every input and output by sha256; `d4c reproduce manifest.json` rebuilds the same bytes.");
    return sb.toString();
  }

  private static ArrayNode coreLinks(Manifest m, Options options) {
    ArrayNode links = NODES.arrayNode();
    if (options.doi() != null) {
      links.addObject().put("rel", "cite-as").put("href", "https://doi.org/" + options.doi()).put("title", "DOI " + options.doi());
    }
    String license = m.license();
    if (license.matches("[A-Za-z0-9.+-]+")) {
      links.addObject().put("rel", "license").put("href", "https://spdx.org/licenses/" + license + ".html")
          .put("type", "text/html").put("title", license);
    }
    return links;
  }

  /** @param tables the output paths that are plain Parquet tables (no geometry) */
  private static ObjectNode assets(Manifest m, String base, String manifestSha, long manifestSize, java.util.Set<String> tables) {
    ObjectNode assets = NODES.objectNode();
    for (Manifest.OutputFile o : m.outputs()) {
      String key = assetKey(o.path());
      ObjectNode a = NODES.objectNode();
      a.put("href", base + encodeRelative(o.path()));
      boolean data = Manifest.OutputFile.DATA.equals(o.role());
      a.put("type", o.mediaType());
      a.put("title", o.path());
      a.put("description", !data ? o.rows() + " records rejected by the build, with the reason for each"
          : tables.contains(o.path()) ? o.rows() + " rows of Parquet, a table without geometry"
          : o.rows() + " rows of GeoParquet " + m.parameters().getOrDefault("geoparquet_version", "1.1.0")
              + " in " + m.parameters().getOrDefault("crs", "OGC:CRS84"));
      a.putArray("roles").add(data ? "data" : "metadata");
      a.put("file:size", o.size());
      a.put("file:checksum", Multihash.sha256(o.sha256()));
      if (assets.has(key)) throw new CatalogException(m.dataset(), "two outputs give the asset key " + key);
      assets.set(key, a);
    }
    if (assets.has(MANIFEST_ASSET)) throw new CatalogException(m.dataset(), "an output is named manifest: the asset key is taken");
    ObjectNode mf = assets.putObject(MANIFEST_ASSET);
    mf.put("href", base + Manifests.FILE_NAME);
    mf.put("type", Stac.JSON);
    mf.put("title", "Build manifest");
    mf.put("description", "d4c manifest v" + m.manifestVersion() + ": the sha256 of every source and output, the code"
        + " commit, the environment and the parameters of this build");
    mf.putArray("roles").add("metadata");
    mf.put("file:size", manifestSize);
    mf.put("file:checksum", Multihash.sha256(manifestSha));
    return assets;
  }

  /** {@code provinces.parquet} -> {@code provinces}; {@code roads/part-00001.parquet} -> {@code roads-part-00001}. */
  public static String assetKey(String path) {
    String k = path.replaceFirst("\\.(parquet|jsonl|json)$", "").replace('/', '-');
    return k.isEmpty() ? "data" : k;
  }

  private static String encodeRelative(String path) {
    return Hrefs.encode(Path.of(path));
  }

  /** The extensions an item uses, sorted. */
  static ArrayNode extensions(JsonNode item) {
    TreeSet<String> ext = new TreeSet<>(List.of(Stac.FILE_EXT, Stac.PROCESSING_EXT, Stac.VERSION_EXT));
    JsonNode p = item.path("properties");
    if (p.has("sci:doi") || p.has("sci:citation") || p.has("sci:publications")) ext.add(Stac.SCIENTIFIC_EXT);
    for (JsonNode a : item.path("assets")) {
      if (a.has("alternate")) ext.add(Stac.ALTERNATE_EXT);
    }
    ArrayNode out = NODES.arrayNode();
    ext.forEach(out::add);
    return out;
  }

  /**
   * Keeps what the catalog added to an earlier copy of the same build: its DOI and citation (unless new ones are
   * given), mirror locations of its assets ({@code alternate}), and whether it was deprecated.
   */
  static ObjectNode carryOver(ObjectNode fresh, JsonNode previous, Options options) {
    ObjectNode item = fresh.deepCopy();
    ObjectNode p = (ObjectNode) item.get("properties");
    JsonNode old = previous.path("properties");
    if (options.doi() == null && old.has("sci:doi")) {
      p.set("sci:doi", old.get("sci:doi"));
      ArrayNode links = (ArrayNode) item.get("links");
      ArrayNode merged = NODES.arrayNode();
      merged.addObject().put("rel", "cite-as").put("href", "https://doi.org/" + old.get("sci:doi").asText())
          .put("title", "DOI " + old.get("sci:doi").asText());
      links.forEach(merged::add);
      item.set("links", merged);
    }
    if (options.citation() == null && old.has("sci:citation")) p.set("sci:citation", old.get("sci:citation"));
    if (old.path("deprecated").asBoolean(false)) p.put("deprecated", true);
    for (String k : List.of(Publication.INFOHASH, Publication.INFOHASH_V2, Publication.MAGNET, Publication.CONCEPT_DOI)) {
      if (old.has(k)) p.set(k, old.get(k));
    }
    if (old.has(Publication.CONCEPT_DOI)) {
      for (JsonNode l : previous.path("links")) {
        if (Publication.CONCEPT_DOI.equals(l.path("title").asText())) ((ArrayNode) item.get("links")).add(l.deepCopy());
      }
    }
    for (String key : List.of(Publication.TORRENT_ASSET, Publication.SOURCE_ASSET)) {
      JsonNode kept = previous.path("assets").get(key);
      if (kept != null) ((ObjectNode) item.get("assets")).set(key, kept.deepCopy());
    }
    for (Map.Entry<String, JsonNode> e : iterable(item.get("assets"))) {
      JsonNode before = previous.path("assets").path(e.getKey());
      JsonNode alt = before.get("alternate");
      if (alt != null && alt.isObject() && alt.size() > 0) {
        ((ObjectNode) e.getValue()).set("alternate", alt.deepCopy());
        // A published asset keeps its primary mirror's URL rather than the local path.
        if (before.path("href").asText().matches("^[a-z][a-z0-9+.-]*://.*")) ((ObjectNode) e.getValue()).set("href", before.get("href"));
      }
    }
    item.set("stac_extensions", extensions(item));
    return (ObjectNode) CanonicalJson.toTree(item);
  }

  static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode o) {
    List<Map.Entry<String, JsonNode>> l = new ArrayList<>();
    o.fields().forEachRemaining(l::add);
    return l;
  }
}
