package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * What publishing adds to a cataloged item: every asset's mirror locations (the primary mirror's URL becomes the
 * {@code href}, the others go to {@code alternate}), the DOI, and the torrent, an asset of type
 * {@code application/x-bittorrent} plus {@code torrent:infohash} and {@code torrent:magnet} in the properties.
 * The seeder reads exactly these fields.
 */
public final class Publication {
  public static final String TORRENT_ASSET = "torrent";
  public static final String SOURCE_ASSET = "source";
  public static final String TORRENT_TYPE = "application/x-bittorrent";
  /** v1 info-hash, 40 lowercase hex digits. */
  public static final String INFOHASH = "torrent:infohash";
  /** v2 info-hash (64 hex digits) of a hybrid torrent. */
  public static final String INFOHASH_V2 = "torrent:infohash_v2";
  public static final String MAGNET = "torrent:magnet";
  public static final String CONCEPT_DOI = "d4c:concept_doi";

  /**
   * @param primary the mirror whose URLs become the assets' hrefs (null keeps the current hrefs)
   * @param assetHrefs asset key -> mirror id -> URL ({@code torrent} included when there is a torrent)
   * @param mirrorTitles mirror id -> a human title for the alternate entry
   * @param doi the version DOI, or null
   * @param conceptDoi the DOI of all versions, or null
   * @param torrent the torrent, or null
   */
  public record Mirrors(String primary, Map<String, Map<String, String>> assetHrefs, Map<String, String> mirrorTitles,
      String doi, String conceptDoi, Torrent torrent, SourceBundle source) {}

  /** The source bundle (code at the build's commit, environment, recipe, manifest). */
  public record SourceBundle(long size, String sha256) {}

  /** The .torrent file: its size and sha256, info-hashes and magnet URI. */
  public record Torrent(long size, String sha256, String infoHashV1, String infoHashV2, String magnet) {}

  private Publication() {}

  /** The change to hand to {@link Catalog#update}. */
  public static UnaryOperator<ObjectNode> apply(Mirrors m) {
    return item -> {
      ObjectNode assets = (ObjectNode) item.get("assets");
      ObjectNode props = (ObjectNode) item.get("properties");
      if (m.torrent() != null) {
        Torrent t = m.torrent();
        ObjectNode a = assets.putObject(TORRENT_ASSET);
        a.put("href", "");
        a.put("type", TORRENT_TYPE);
        a.put("title", "BitTorrent metainfo (BEP 3, web seeds BEP 19)");
        a.put("description", "Every file of this version in one torrent; every HTTP mirror is a web seed");
        a.putArray("roles").add("torrent").add("metadata");
        a.put("file:size", t.size());
        a.put("file:checksum", Multihash.sha256(t.sha256()));
        props.put(INFOHASH, t.infoHashV1());
        if (t.infoHashV2() != null) props.put(INFOHASH_V2, t.infoHashV2());
        else props.remove(INFOHASH_V2);
        props.put(MAGNET, t.magnet());
      }
      if (m.source() != null) {
        ObjectNode a = assets.putObject(SOURCE_ASSET);
        a.put("href", "");
        a.put("type", "application/gzip");
        a.put("title", "Source bundle");
        a.put("description", "The processing code at the build's commit, the environment definitions, the recipe and"
            + " the manifest: `d4c reproduce` rebuilds this version from it");
        a.putArray("roles").add("source").add("metadata");
        a.put("file:size", m.source().size());
        a.put("file:checksum", Multihash.sha256(m.source().sha256()));
      }
      for (Map.Entry<String, Map<String, String>> e : new TreeMap<>(m.assetHrefs()).entrySet()) {
        JsonNode node = assets.get(e.getKey());
        if (!(node instanceof ObjectNode a)) throw new CatalogException(item.path("id").asText(), "no asset " + e.getKey() + " to publish");
        Map<String, String> byMirror = new TreeMap<>(e.getValue());
        ObjectNode alt = a.has("alternate") ? (ObjectNode) a.get("alternate") : a.putObject("alternate");
        for (Map.Entry<String, String> h : byMirror.entrySet()) {
          if (h.getKey().equals(m.primary())) {
            a.put("href", h.getValue());
            continue;
          }
          ObjectNode entry = alt.putObject(h.getKey()).put("href", h.getValue());
          String title = m.mirrorTitles().get(h.getKey());
          if (title != null) entry.put("title", title);
        }
        if (alt.isEmpty()) a.remove("alternate");
      }
      for (String key : new String[] {TORRENT_ASSET, SOURCE_ASSET}) {
        if (assets.has(key) && assets.get(key).path("href").asText().isEmpty()) {
          // No primary mirror took it: point at another mirror's copy.
          JsonNode alt = assets.get(key).path("alternate");
          if (!alt.isObject() || alt.isEmpty()) throw new CatalogException(item.path("id").asText(), "the " + key + " asset has no mirror to point at");
          ((ObjectNode) assets.get(key)).put("href", alt.elements().next().path("href").asText());
        }
      }
      if (m.doi() != null) {
        String doi = new ItemFactory.Options(null, m.doi(), null).doi();
        props.put("sci:doi", doi);
        ArrayNode links = (ArrayNode) item.get("links");
        ArrayNode kept = links.arrayNode();
        kept.addObject().put("rel", "cite-as").put("href", "https://doi.org/" + doi).put("title", "DOI " + doi);
        for (JsonNode l : links) {
          if (!"cite-as".equals(l.path("rel").asText()) && !CONCEPT_DOI.equals(l.path("title").asText())) kept.add(l);
        }
        if (m.conceptDoi() != null) {
          String concept = new ItemFactory.Options(null, m.conceptDoi(), null).doi();
          props.put(CONCEPT_DOI, concept);
          kept.addObject().put("rel", "related").put("href", "https://doi.org/" + concept).put("title", CONCEPT_DOI);
        }
        item.set("links", kept);
      }
      return item;
    };
  }
}
