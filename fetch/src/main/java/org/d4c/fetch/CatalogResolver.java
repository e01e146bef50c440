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
      List<Locations.Location> locations, String statusNote) {}

  private final SafeHttp http;

  public CatalogResolver(SafeHttp http) {
    this.http = http;
  }

  public Target resolve(CatalogSource source, String query) {
    List<ObjectNode> items = CatalogParquet.read(source.parquet()).items();
    ObjectNode item = find(items, query, source.location());
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
        byte[] b = fetch(source, href);
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
    if (torrent == null) throw new D4cException(ExitCode.FAILED, id + ": no location gave the torrent (" + String.join("; ", errors) + ")");
    TorrentLayout layout = TorrentLayout.of(torrent, id + " torrent");
    String infoHash = item.path("properties").path(Publication.INFOHASH).asText("");
    if (!layout.infoHash().equalsIgnoreCase(infoHash)) {
      throw new D4cException(ExitCode.BAD_INPUT, id + ": the torrent's info-hash " + layout.infoHash() + " differs from the catalog's " + infoHash);
    }
    List<Locations.Location> locations = locations(item, layout);
    String note = null;
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
        }
      }
    } catch (IOException | RuntimeException e) {
      note = StatusDocument.FILE + " ignored: " + D4cException.messageOf(e);
    }
    List<Locations.Location> withHealth = new ArrayList<>();
    for (Locations.Location l : locations) withHealth.add(l.withHealth(health.of(id, l.id()).orElse(null)));
    return new Target(id, item.path("collection").asText(), item.path("properties").path("version").asText(), torrent, layout,
        List.copyOf(withHealth), note);
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

  private byte[] fetch(CatalogSource source, String href) throws IOException {
    URI uri = URI.create(source.baseUri()).resolve(href);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("file")) {
      if (source.isRemote()) throw new IOException("a remote catalog may not point at a local file");
      return Files.readAllBytes(Path.of(uri));
    }
    SafeHttp.Response r = http.get(uri, null, 64L << 20);
    if (r.status() != 200) throw new IOException("HTTP " + r.status());
    return r.body();
  }
}
