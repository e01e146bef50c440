package org.d4c.monitor.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.catalog.Multihash;
import org.d4c.catalog.Publication;
import org.d4c.monitor.Location;

/**
 * What to probe, read from the catalog items: every data asset (file, size, sha256) of every item, and for every
 * location that serves it (the asset {@code href}, each {@code alternate}, each web seed of the torrent) the URL of
 * each file. Only http(s) URLs are probed. The location of an {@code href} is named by the operator's
 * {@code --location ID=URL-PREFIX} when a prefix matches, else {@value #PRIMARY}.
 */
public final class Targets {
  public static final String PRIMARY = "primary";

  /** A file of an item: its path under the dataset's root folder, size and sha256 (hex). */
  public record FileInfo(String path, long size, String sha256) {}

  /**
   * One item to probe: its files, the torrent asset's URLs and sha256 (to fetch the piece hashes), and location id ->
   * file path -> URL.
   */
  public record ItemTarget(String item, String collection, List<FileInfo> files, Map<String, URI> torrentUrls,
      String torrentSha256, Map<String, Map<String, URI>> urls) {}

  private Targets() {}

  /**
   * @param base what relative hrefs resolve against (the catalog's URL)
   * @param prefixes location id -> URL prefix, from the operator
   */
  public static List<ItemTarget> of(List<ObjectNode> items, String base, Map<String, String> prefixes) {
    List<ItemTarget> out = new ArrayList<>();
    for (ObjectNode item : items) {
      String id = item.path("id").asText();
      Map<String, FileInfo> files = new TreeMap<>();
      Map<String, Map<String, URI>> urls = new TreeMap<>();
      Map<String, URI> torrentUrls = new TreeMap<>();
      String torrentSha = null;
      for (Iterator<Map.Entry<String, JsonNode>> it = item.path("assets").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode a = e.getValue();
        String sha = sha(a.path("file:checksum").asText(null));
        Map<String, URI> byLocation = new LinkedHashMap<>();
        URI href = resolve(base, a.path("href").asText(""));
        if (href != null) byLocation.put(locationOf(href, prefixes, PRIMARY), href);
        for (Iterator<Map.Entry<String, JsonNode>> alts = a.path("alternate").fields(); alts.hasNext(); ) {
          Map.Entry<String, JsonNode> alt = alts.next();
          URI u = resolve(base, alt.getValue().path("href").asText(""));
          if (u != null) byLocation.put(locationOf(u, prefixes, Location.sanitize(alt.getKey())), u);
        }
        if (Publication.TORRENT_ASSET.equals(e.getKey()) || Publication.TORRENT_TYPE.equals(a.path("type").asText())) {
          torrentUrls.putAll(byLocation);
          torrentSha = sha;
          continue;
        }
        if (byLocation.isEmpty() || sha == null) continue;
        String path = fileName(byLocation.values().iterator().next(), item);
        files.put(path, new FileInfo(path, a.path("file:size").asLong(-1), sha));
        for (Map.Entry<String, URI> l : byLocation.entrySet()) {
          urls.computeIfAbsent(l.getKey(), k -> new TreeMap<>()).put(path, l.getValue());
        }
      }
      if (!files.isEmpty()) {
        out.add(new ItemTarget(id, item.path("collection").asText(), List.copyOf(files.values()), torrentUrls, torrentSha, urls));
      }
    }
    return out;
  }

  /** Adds a torrent's web seeds as locations (BEP 19: base + name + "/" + path) that no other location already is. */
  public static ItemTarget withWebSeeds(ItemTarget t, TorrentPieces torrent, List<String> webSeeds, Map<String, String> prefixes) {
    Map<String, Map<String, URI>> urls = new TreeMap<>(t.urls());
    for (String seed : webSeeds) {
      String base = seed.endsWith("/") ? seed : seed + "/";
      Map<String, URI> files = new TreeMap<>();
      for (FileInfo f : t.files()) files.put(f.path(), URI.create(base + torrent.name() + "/" + f.path()));
      URI first = files.values().iterator().next();
      boolean known = urls.values().stream().anyMatch(m -> m.containsValue(first));
      if (known) continue;
      String id = locationOf(first, prefixes, Location.sanitize("seed-" + first.getHost() + (first.getPort() > 0 ? "-" + first.getPort() : "")));
      urls.putIfAbsent(id, files);
    }
    return new ItemTarget(t.item(), t.collection(), t.files(), t.torrentUrls(), t.torrentSha256(), urls);
  }

  static String locationOf(URI u, Map<String, String> prefixes, String fallback) {
    String s = u.toString();
    String best = null;
    int len = -1;
    for (Map.Entry<String, String> p : prefixes.entrySet()) {
      if (s.startsWith(p.getValue()) && p.getValue().length() > len) {
        best = p.getKey();
        len = p.getValue().length();
      }
    }
    return best != null ? best : fallback;
  }

  private static String sha(String multihash) {
    if (multihash == null) return null;
    try {
      return Multihash.sha256Hex(multihash);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static URI resolve(String base, String href) {
    if (href.isEmpty()) return null;
    try {
      URI u = URI.create(base).resolve(href);
      String scheme = u.getScheme();
      return scheme != null && (scheme.equals("http") || scheme.equals("https")) ? u : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The file's path under the root folder {@code <collection>-<version>/} when the URL has it, else its last segment. */
  private static String fileName(URI u, ObjectNode item) {
    String p = u.getPath();
    String root = "/" + item.path("id").asText() + "/";
    int i = p.indexOf(root);
    if (i >= 0) return p.substring(i + root.length());
    return p.substring(p.lastIndexOf('/') + 1);
  }
}
