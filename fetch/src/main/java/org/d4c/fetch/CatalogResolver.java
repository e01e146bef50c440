package org.d4c.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.catalog.CatalogLinks;
import org.d4c.catalog.CatalogParquet;
import org.d4c.catalog.CatalogSource;
import org.d4c.catalog.Publication;
import org.d4c.catalog.Semver;
import org.d4c.catalog.status.StatusDocument;
import org.d4c.catalog.status.StatusKeys;
import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;
import org.d4c.core.hash.Hashing;
import org.d4c.core.net.SafeHttp;

/**
 * Finds what {@code d4c get} asked for in a catalog: an item id ({@code roads-1.0.0}), a dataset (its latest release),
 * {@code DATASET@VERSION}, or a DOI (matched against {@code sci:doi}). Then fetches the item's torrent (checked against
 * the asset's {@code file:checksum} and the item's {@code torrent:infohash}) and lists its HTTP locations: the
 * torrent's web seeds, named by the catalog mirror whose manifest href lies under them ({@code primary} for the href).
 */
public final class CatalogResolver {
  /** What to download. */
  public record Target(String itemId, String collection, String version, byte[] torrent, TorrentLayout layout,
      List<Locations.Location> locations, String statusNote, String monitorUrl, String torrentNote) {}

  private final SafeHttp http;
  private SwarmMetadata swarmMetadata;

  /**
   * Where a torrent's metadata comes from when no location serves the .torrent: peers that have it (BEP 9
   * ut_metadata), asked by info-hash; returns a bencoded torrent whose info dictionary has that info-hash, or null.
   */
  @FunctionalInterface
  public interface SwarmMetadata {
    byte[] fetch(String infoHashHex, String name, String magnet);
  }

  public CatalogResolver(SafeHttp http) {
    this.http = http;
  }

  /** Asks the swarm for the torrent's metadata when no location gives the .torrent. */
  public CatalogResolver withSwarmMetadata(SwarmMetadata m) {
    this.swarmMetadata = m;
    return this;
  }

  public Target resolve(CatalogSource source, String query) {
    // The static STAC JSON beside catalog.parquet answers an item id, DATASET@VERSION or a dataset with one or two small
    // reads; reading catalog.parquet costs seconds of start-up (the Parquet reader's classes), so it is the fallback
    // (DOIs, or a catalog without the JSON).
    ObjectNode item;
    String itemBase;
    JsonItem j = fromJson(source, query);
    if (j != null) {
      item = j.item();
      itemBase = j.base();
    } else {
      item = find(CatalogParquet.read(source.parquet()).items(), query, source.location());
      itemBase = source.baseUri();
    }
    String id = item.path("id").asText();
    JsonNode asset = item.path("assets").path(Publication.TORRENT_ASSET);
    if (asset.isMissingNode()) {
      throw new D4cException(ExitCode.BAD_INPUT, id + ": the item has no torrent asset; it has not been published (./d4c publish)");
    }
    String checksum = asset.path("file:checksum").asText("").toLowerCase(Locale.ROOT);
    if (!checksum.matches("1220[0-9a-f]{64}")) throw new D4cException(ExitCode.BAD_INPUT, id + ": assets.torrent.file:checksum is not a sha2-256 multihash");
    byte[] torrent = null;
    List<String> errors = new ArrayList<>();
    for (String href : hrefs(asset).values()) {
      try {
        byte[] b = fetch(source, itemBase, href);
        if (!Hashing.sha256(b).equals(checksum.substring(4))) {
          errors.add(href + ": sha256 differs from file:checksum");
          continue;
        }
        torrent = b;
        break;
      } catch (IOException | RuntimeException e) {
        errors.add(href + ": " + D4cException.messageOf(e));
      }
    }
    String infoHash = item.path("properties").path(Publication.INFOHASH).asText("");
    String torrentNote = null;
    if (torrent == null && swarmMetadata != null && infoHash.matches("[0-9a-fA-F]{40}")) {
      // The info dictionary is what the catalog's info-hash names, whoever sends it; the .torrent file's other keys
      // (web seeds, trackers) are lost, so the swarm, not the mirrors, serves the data.
      torrent = swarmMetadata.fetch(infoHash.toLowerCase(Locale.ROOT), id, item.path("properties").path(Publication.MAGNET).asText(""));
      if (torrent != null) torrentNote = "the swarm (metadata by info-hash; no location served the .torrent: " + String.join("; ", errors) + ")";
    }
    if (torrent == null) throw new D4cException(ExitCode.FAILED, id + ": no location gave the torrent (" + String.join("; ", errors) + ")"
        + (swarmMetadata != null ? " and no peer gave its metadata" : ""));
    TorrentLayout layout = TorrentLayout.of(torrent, id + " torrent");
    if (!layout.infoHash().equalsIgnoreCase(infoHash)) {
      throw new D4cException(ExitCode.BAD_INPUT, id + ": the torrent's info-hash " + layout.infoHash() + " differs from the catalog's " + infoHash);
    }
    List<Locations.Location> locations = locations(item, layout);
    String note = null;
    String monitorUrl = null;
    LocationHealth health = LocationHealth.NONE;
    try {
      Path status = source.file(StatusDocument.FILE);
      if (status != null) {
        StatusDocument doc = StatusDocument.parse(Files.readAllBytes(status));
        Path keys = source.file(StatusKeys.FILE);
        if (keys == null) note = StatusDocument.FILE + " ignored: the catalog has no " + StatusKeys.FILE + " to check its signature";
        else {
          doc.requireSignedBy(StatusKeys.read(keys));
          health = LocationHealth.of(doc);
          note = StatusDocument.FILE + " round " + doc.round() + " used";
          monitorUrl = monitorUrl(Files.readAllBytes(status));
        }
      }
    } catch (IOException | RuntimeException e) {
      note = StatusDocument.FILE + " ignored: " + D4cException.messageOf(e);
    }
    List<Locations.Location> withHealth = new ArrayList<>();
    for (Locations.Location l : locations) withHealth.add(l.withHealth(health.of(id, l.id()).orElse(null)));
    return new Target(id, item.path("collection").asText(), item.path("properties").path("version").asText(), torrent, layout,
        List.copyOf(withHealth), note, monitorUrl, torrentNote);
  }

  static ObjectNode find(List<ObjectNode> items, String query, String where) {
    String q = query.trim();
    String doi = q.replaceFirst("(?i)^(https?://(dx\\.)?doi\\.org/|doi:)", "");
    if (doi.matches("10\\.\\d{4,9}/\\S+")) {
      for (ObjectNode i : items) if (doi.equalsIgnoreCase(i.path("properties").path("sci:doi").asText())) return i;
      throw new D4cException(ExitCode.BAD_INPUT, "no item of the catalog " + where + " has the DOI " + doi);
    }
    for (ObjectNode i : items) if (i.path("id").asText().equals(q)) return i;
    String dataset = q;
    String version = null;
    int at = q.lastIndexOf('@');
    if (at > 0) {
      dataset = q.substring(0, at);
      version = q.substring(at + 1);
    }
    ObjectNode best = null;
    List<String> versions = new ArrayList<>();
    for (ObjectNode i : items) {
      if (!i.path("collection").asText().equals(dataset)) continue;
      String v = i.path("properties").path("version").asText();
      versions.add(v);
      if (version != null) {
        if (v.equals(version)) return i;
      } else if (!v.contains("-") && (best == null || Semver.compare(v, best.path("properties").path("version").asText()) > 0)) {
        best = i; // the latest release: pre-releases only when asked for by version
      }
    }
    if (best != null) return best;
    if (versions.isEmpty()) {
      throw new D4cException(ExitCode.BAD_INPUT, "the catalog " + where + " has no item " + q + " and no dataset " + dataset
          + " (list them with ./d4c catalog search --catalog " + where + ")");
    }
    throw new D4cException(ExitCode.BAD_INPUT, "dataset " + dataset + " has no " + (version == null ? "release" : "version " + version)
        + " in " + where + "; versions: " + String.join(", ", versions));
  }

  /** The asset's href ("primary") then its alternates by mirror id. */
  static Map<String, String> hrefs(JsonNode asset) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!asset.path("href").asText("").isEmpty()) out.put("primary", asset.path("href").asText());
    Map<String, String> alt = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = asset.path("alternate").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().path("href").asText("").isEmpty()) alt.put(e.getKey(), e.getValue().path("href").asText());
    }
    alt.forEach(out::putIfAbsent);
    return out;
  }

  /** The web seeds as folders of the root, named by the catalog mirror whose manifest href is under them. */
  static List<Locations.Location> locations(ObjectNode item, TorrentLayout layout) {
    Map<String, String> manifestHrefs = hrefs(item.path("assets").path("manifest"));
    List<Locations.Location> out = new ArrayList<>();
    for (String seed : layout.webSeeds()) {
      String base = seed.endsWith("/") ? seed : seed + "/";
      String folder = base + encode(layout.name()) + "/";
      String id = null;
      for (Map.Entry<String, String> e : manifestHrefs.entrySet()) {
        if (e.getValue().startsWith(folder)) {
          id = e.getKey();
          break;
        }
      }
      if (id == null) id = URI.create(base).getHost() + ":" + URI.create(base).getPort();
      final String name = id;
      if (out.stream().noneMatch(l -> l.folder().equals(folder) || l.id().equals(name))) {
        out.add(new Locations.Location(id, folder, null, null, false, null));
      }
    }
    return out;
  }

  static String encode(String pathElement) {
    return java.net.URLEncoder.encode(pathElement, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The monitor's URL a status.json names ({@code "monitor": {"url": ...}}), read leniently; null when it names none. */
  static String monitorUrl(byte[] statusJson) {
    try {
      String u = new com.fasterxml.jackson.databind.ObjectMapper().readTree(statusJson).path("monitor").path("url").asText("").trim();
      return u.startsWith("http://") || u.startsWith("https://") ? u : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private record JsonItem(ObjectNode item, String base) {}

  /** The item from the catalog's STAC JSON files, or null when they do not answer the query (then catalog.parquet does). */
  static JsonItem fromJson(CatalogSource source, String query) {
    String q = query.trim();
    if (q.matches("(?i)^(https?://(dx\\.)?doi\\.org/|doi:)?10\\.\\d{4,9}/\\S+")) return null;
    try {
      int at = q.lastIndexOf('@');
      if (at > 0) {
        String dataset = q.substring(0, at);
        String version = q.substring(at + 1);
        JsonItem j = item(source, dataset, dataset + "-" + version);
        return j != null && version.equals(j.item().path("properties").path("version").asText()) ? j : null;
      }
      Path latest = safeName(q) ? source.file(q + "/" + CatalogLinks.LATEST_FILE) : null;
      if (latest != null) {
        JsonNode l = new com.fasterxml.jackson.databind.ObjectMapper().readTree(latest.toFile());
        String v = l.path("version").asText("");
        if (v.isEmpty() || v.contains("-") || !q.equals(l.path("collection").asText())) return null; // a pre-release: the full rule
        return item(source, q, l.path("id").asText());
      }
      // An item id is DATASET-VERSION for a dataset the root catalog links to.
      Path root = source.file(CatalogLinks.ROOT_FILE);
      if (root == null) return null;
      for (JsonNode link : new com.fasterxml.jackson.databind.ObjectMapper().readTree(root.toFile()).path("links")) {
        if (!link.path("rel").asText().equals("child")) continue;
        String href = link.path("href").asText("");
        if (!href.endsWith("/collection.json")) continue;
        String collection = href.substring(0, href.length() - "/collection.json".length());
        if (q.startsWith(collection + "-")) {
          JsonItem j = item(source, collection, q);
          if (j != null) return j;
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null; // the Parquet file decides, with its own error messages
    }
  }

  private static JsonItem item(CatalogSource source, String collection, String id) throws IOException {
    if (!safeName(collection) || !safeName(id)) return null;
    String rel = CatalogLinks.itemPath(collection, id);
    Path f = source.file(rel);
    if (f == null) return null;
    JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.toFile());
    if (!(n instanceof ObjectNode o) || !id.equals(o.path("id").asText()) || !collection.equals(o.path("collection").asText())) return null;
    return new JsonItem(o, URI.create(source.baseUri()).resolve(rel).toString());
  }

  private static boolean safeName(String s) {
    return s.matches("[A-Za-z0-9][A-Za-z0-9._-]*") && !s.contains("..");
  }

  private byte[] fetch(CatalogSource source, String base, String href) throws IOException {
    URI uri = URI.create(base).resolve(href);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("file")) {
      if (source.isRemote()) throw new IOException("a remote catalog may not point at a local file");
      return Files.readAllBytes(Path.of(uri));
    }
    try (SafeHttp.Download d = http.download(uri, null)) {
      if (d.status() != 200) throw new IOException("HTTP " + d.status());
      byte[] b = d.body().readNBytes(64 << 20);
      if (d.body().read() >= 0) throw new IOException("larger than 64 MiB: not a torrent file");
      return b;
    }
  }
}
