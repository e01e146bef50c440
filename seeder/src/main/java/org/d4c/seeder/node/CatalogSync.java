package org.d4c.seeder.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.catalog.CatalogParquet;
import org.d4c.catalog.CatalogSource;
import org.d4c.catalog.Publication;
import org.d4c.core.net.AddressPolicy;
import org.d4c.core.net.SafeHttp;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.WebSeedEntry;

/**
 * Reads the catalog (a folder, {@code catalog.parquet}, or an http(s)/s3 URL via {@link CatalogSource}) and turns
 * every item with a {@code torrent} asset into a {@link Dataset}: the .torrent is taken from the local cache
 * ({@code DATA/.d4c-seeder/torrents/<infohash>.torrent}) when its sha256 matches the catalog's {@code file:checksum},
 * otherwise fetched from the asset's href or any alternate, then checked: sha256 against {@code file:checksum}, v1
 * info-hash against {@code torrent:infohash}, file names by {@link SafeTorrent}. An item that fails is skipped and
 * reported; a catalog that cannot be read throws, and the caller keeps its last good snapshot.
 */
public final class CatalogSync {
  /** The optional availability hint published next to catalog.parquet (see {@link AvailabilityHint}). */
  public static final String HINT_FILE = AvailabilityHint.FILE_NAME;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String location;
  private final Path torrentCache;
  private final SafeHttp http;

  /** One catalog dataset version the seeder can serve. */
  public record Dataset(String itemId, String infoHash, byte[] torrentBytes, TorrentInfo info, List<Mirror> mirrors) {}

  /** An HTTP mirror of a dataset: an id (from the catalog's alternates when known) and its BEP 19 base URL. */
  public record Mirror(String id, String base) {}

  /** What one sync read: the datasets (sorted by item id), per-item problems, and the hint (null when none). */
  public record Snapshot(List<Dataset> datasets, Map<String, String> problems, AvailabilityHint hint) {}

  public CatalogSync(String location, Path dataDir, AddressPolicy policy) {
    this.location = location;
    this.torrentCache = dataDir.resolve(NodeState.DIR).resolve("torrents");
    this.http = new SafeHttp(policy, Duration.ofSeconds(30));
  }

  public Snapshot read() {
    try (CatalogSource source = CatalogSource.open(location)) {
      CatalogParquet.Contents contents = CatalogParquet.read(source.parquet());
      List<Dataset> out = new ArrayList<>();
      Map<String, String> problems = new TreeMap<>();
      List<ObjectNode> items = new ArrayList<>(contents.items());
      items.sort((a, b) -> a.path("id").asText().compareTo(b.path("id").asText()));
      for (ObjectNode item : items) {
        String id = item.path("id").asText();
        JsonNode asset = item.path("assets").path(Publication.TORRENT_ASSET);
        if (asset.isMissingNode()) continue;
        try {
          out.add(dataset(source, item, asset));
        } catch (IOException | RuntimeException e) {
          problems.put(id, e.getMessage() == null ? e.toString() : e.getMessage());
        }
      }
      AvailabilityHint hint = null;
      try {
        Path hf = source.file(HINT_FILE);
        if (hf != null) hint = AvailabilityHint.read(Files.readAllBytes(hf));
      } catch (IOException | RuntimeException e) {
        problems.put(HINT_FILE, "availability hint ignored: " + e.getMessage());
      }
      return new Snapshot(List.copyOf(out), problems, hint);
    }
  }

  private Dataset dataset(CatalogSource source, ObjectNode item, JsonNode asset) throws IOException {
    String id = item.path("id").asText();
    String infoHash = item.path("properties").path(Publication.INFOHASH).asText("").toLowerCase(Locale.ROOT);
    if (!infoHash.matches("[0-9a-f]{40}")) throw new IOException("properties." + Publication.INFOHASH + " is not 40 hex digits");
    String checksum = asset.path("file:checksum").asText("").toLowerCase(Locale.ROOT);
    if (!checksum.matches("1220[0-9a-f]{64}")) throw new IOException("assets.torrent.file:checksum is not a sha2-256 multihash (1220 + 64 hex)");
    String sha256 = checksum.substring(4);
    Path cached = torrentCache.resolve(infoHash + ".torrent");
    byte[] bytes = null;
    if (Files.isRegularFile(cached)) {
      byte[] b = Files.readAllBytes(cached);
      if (sha256(b).equals(sha256)) bytes = b;
    }
    List<String> errors = new ArrayList<>();
    if (bytes == null) {
      for (String href : hrefs(asset)) {
        try {
          byte[] b = fetch(source, href);
          if (!sha256(b).equals(sha256)) {
            errors.add(href + ": sha256 " + sha256(b) + " differs from file:checksum");
            continue;
          }
          bytes = b;
          break;
        } catch (IOException | RuntimeException e) {
          errors.add(href + ": " + e.getMessage());
        }
      }
    }
    if (bytes == null) throw new IOException("no mirror gave the torrent: " + String.join("; ", errors));
    TorrentInfo ti = SafeTorrent.parse(bytes, id);
    String actual = ti.infoHash().toHex().toLowerCase(Locale.ROOT);
    if (!actual.equals(infoHash)) throw new IOException("the torrent's info-hash " + actual + " differs from the catalog's " + infoHash);
    Files.createDirectories(torrentCache);
    if (!Files.isRegularFile(cached)) NodeState.writeAtomically(cached, bytes);
    return new Dataset(id, infoHash, bytes, ti, mirrors(item, ti));
  }

  /** The torrent's href first, then the alternates by mirror id. */
  static List<String> hrefs(JsonNode asset) {
    List<String> out = new ArrayList<>();
    if (!asset.path("href").asText("").isEmpty()) out.add(asset.path("href").asText());
    Map<String, String> alt = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = asset.path("alternate").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().path("href").asText("").isEmpty()) alt.put(e.getKey(), e.getValue().path("href").asText());
    }
    for (String h : alt.values()) if (!out.contains(h)) out.add(h);
    return out;
  }

  private byte[] fetch(CatalogSource source, String href) throws IOException {
    URI uri = URI.create(source.baseUri()).resolve(href);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("file")) {
      if (source.isRemote()) throw new IOException("a remote catalog may not point at a local file");
      return Files.readAllBytes(Path.of(uri));
    }
    if (scheme.equals("s3")) uri = URI.create(s3(href));
    SafeHttp.Response r = http.get(uri, null, 64L << 20);
    if (r.status() != 200) throw new IOException("HTTP " + r.status());
    return r.body();
  }

  private static String s3(String href) {
    String rest = href.substring("s3://".length());
    int slash = rest.indexOf('/');
    String endpoint = System.getenv("D4C_S3_ENDPOINT");
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    return endpoint == null || endpoint.isBlank() ? "https://" + bucket + ".s3.amazonaws.com/" + key
        : endpoint.replaceAll("/+$", "") + "/" + bucket + "/" + key;
  }

  /** Mirrors = the torrent's web seeds; each named by the catalog mirror whose manifest href starts with it. */
  static List<Mirror> mirrors(ObjectNode item, TorrentInfo ti) {
    Map<String, String> hrefByMirror = new TreeMap<>();
    JsonNode manifest = item.path("assets").path("manifest");
    if (!manifest.path("href").asText("").isEmpty()) hrefByMirror.put("primary", manifest.path("href").asText());
    for (Iterator<Map.Entry<String, JsonNode>> it = manifest.path("alternate").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      hrefByMirror.put(e.getKey(), e.getValue().path("href").asText(""));
    }
    List<Mirror> out = new ArrayList<>();
    for (WebSeedEntry w : ti.webSeeds()) {
      String base = w.url();
      String id = null;
      for (Map.Entry<String, String> e : hrefByMirror.entrySet()) {
        if (e.getValue().startsWith(base)) {
          id = e.getKey();
          break;
        }
      }
      out.add(new Mirror(id == null ? URI.create(base).getHost() : id, base));
    }
    return out;
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
