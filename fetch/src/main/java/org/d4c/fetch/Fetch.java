package org.d4c.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.d4c.catalog.CatalogSource;
import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;
import org.d4c.core.hash.Hashing;
import org.d4c.core.net.AddressPolicy;
import org.d4c.core.net.HostPort;
import org.d4c.core.net.SafeHttp;
import org.d4c.core.progress.Progress;

/**
 * {@code d4c get} as a library call: resolve a dataset version in a catalog, rank its locations, download it in
 * verified pieces from the best HTTP locations at once, fall back to BitTorrent, check every file against the
 * manifest's sha256, and move the folder into place.
 *
 * <pre>{@code
 * Fetch.Summary s = Fetch.of("https://data.example/catalog/").item("roads@1.0.0").to(Path.of("data")).call();
 * }</pre>
 *
 * The download goes to {@code TO/.d4c-get/<name>/} first and is moved to {@code TO/<name>} only when every file is
 * verified; run it again after an interruption and the verified pieces are kept. Errors are {@link D4cException}s
 * with the exit code the command ends with.
 */
public final class Fetch {
  /** How to get the bytes. */
  public enum Via { AUTO, HTTP, TORRENT }

  /** What one location (or the swarm) did. */
  public record SourceReport(String id, String kind, String url, long bytes, long pieces, String verdict, Integer badPiece, long waitedMillis) {}

  /** A bad piece reported to the monitor ({@code --report}): the monitor's id when it took it (HTTP 202), else why not. */
  public record ReportSent(String location, int piece, int status, String id, String error) {}

  /** The outcome: what was fetched, from where, and the verdicts. */
  public record Summary(String item, String name, Path folder, long size, int pieces, int piecesResumed, List<SourceReport> sources,
      List<SourceReport> excluded, int filesVerified, String status, List<ReportSent> reports, String torrentFrom) {
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("item", item);
      o.put("name", name);
      o.put("folder", folder.toString());
      o.put("size", size);
      o.put("pieces", pieces);
      o.put("pieces_resumed", piecesResumed);
      o.put("files_verified", filesVerified);
      if (status != null) o.put("status_json", status);
      if (torrentFrom != null) o.put("torrent_from", torrentFrom);
      ArrayNode a = o.putArray("sources");
      for (SourceReport s : sources) a.add(json(s));
      ArrayNode x = o.putArray("excluded");
      for (SourceReport s : excluded) x.add(json(s));
      if (!reports.isEmpty()) {
        ArrayNode r = o.putArray("reports");
        for (ReportSent s : reports) {
          ObjectNode j = r.addObject().put("location", s.location()).put("piece", s.piece()).put("status", s.status());
          if (s.id() != null) j.put("id", s.id());
          if (s.error() != null) j.put("error", s.error());
        }
      }
      return o;
    }

    private static ObjectNode json(SourceReport s) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("id", s.id());
      o.put("kind", s.kind());
      if (s.url() != null) o.put("url", s.url());
      o.put("bytes", s.bytes());
      o.put("pieces", s.pieces());
      o.put("verdict", s.verdict());
      if (s.badPiece() != null) o.put("bad_piece", s.badPiece());
      if (s.waitedMillis() > 0) o.put("waited_ms", s.waitedMillis());
      return o;
    }
  }

  private final String catalog;
  private String query;
  private Path to = Path.of(".");
  private Via via = Via.AUTO;
  private int maxLocations = 3;
  private int connectionsPerLocation = 2;
  private List<HostPort> peers = List.of();
  private AddressPolicy policy = AddressPolicy.DEFAULT;
  private Duration timeout = Duration.ofSeconds(30);
  private Duration swarmTimeout = Duration.ofMinutes(30);
  private Duration maxWait = Duration.ofSeconds(60);
  private Progress progress = Progress.NONE;
  private String report;

  private Fetch(String catalog) {
    this.catalog = catalog;
  }

  /** A catalog folder, or its {@code http(s)://} / {@code s3://} URL. */
  public static Fetch of(String catalog) {
    return new Fetch(catalog);
  }

  /** An item id, a dataset (latest release), {@code DATASET@VERSION}, or a DOI. */
  public Fetch item(String q) {
    this.query = q;
    return this;
  }

  public Fetch to(Path dir) {
    this.to = dir;
    return this;
  }

  public Fetch via(Via v) {
    this.via = v;
    return this;
  }

  /** How many HTTP locations to download from at once (default 3). */
  public Fetch locations(int n) {
    this.maxLocations = Math.max(1, n);
    return this;
  }

  /** Connections to each location (default 2). */
  public Fetch connections(int n) {
    this.connectionsPerLocation = Math.max(1, n);
    return this;
  }

  /** Peers for the BitTorrent fallback (a seeder); without any, DHT and the torrent's trackers find them. */
  public Fetch peers(List<HostPort> p) {
    this.peers = List.copyOf(p);
    return this;
  }

  /** Which addresses count as public (redirects from a public location to a non-public one are refused). */
  public Fetch addressPolicy(AddressPolicy p) {
    this.policy = p;
    return this;
  }

  /** The longest a busy location (HTTP 429/503) may ask to be left alone (Retry-After) before it is dropped; default 60 s. */
  public Fetch maxWait(Duration d) {
    this.maxWait = d;
    return this;
  }

  /**
   * Report every location that serves a bad piece to a status monitor: {@code url}, or with "" the monitor the
   * catalog's (signed) status.json names; null (the default) reports nothing.
   */
  public Fetch report(String url) {
    this.report = url;
    return this;
  }

  public Fetch swarmTimeout(Duration d) {
    this.swarmTimeout = d;
    return this;
  }

  public Fetch progress(Progress p) {
    this.progress = p;
    return this;
  }

  public Summary call() {
    if (query == null || query.isBlank()) throw new D4cException(ExitCode.BAD_INPUT, "no dataset given: an item id, DATASET[@VERSION] or a DOI");
    Timings times = new Timings();
    SafeHttp http = new SafeHttp(policy, timeout);
    CatalogResolver.Target t;
    try (CatalogSource source = CatalogSource.open(catalog)) {
      CatalogResolver resolver = new CatalogResolver(http);
      if (via != Via.HTTP) {
        resolver.withSwarmMetadata((hash, name, magnet) -> {
          System.err.println("d4c get: no location served " + name + "'s .torrent; asking " + (peers.isEmpty() ? "the DHT and trackers"
              : "the given peers") + " for its metadata");
          return TorrentFallback.metadata(hash, name, magnet, peers, swarmTimeout.compareTo(Duration.ofSeconds(60)) < 0 ? swarmTimeout
              : Duration.ofSeconds(60), to.resolve(".d4c-get").resolve("metadata"));
        });
      }
      t = resolver.resolve(source, query);
    } catch (RuntimeException e) {
      if (e instanceof D4cException) throw e;
      throw new D4cException(ExitCode.BAD_INPUT, "catalog " + catalog + ": " + D4cException.messageOf(e), e);
    }
    TorrentLayout layout = t.layout();
    Path target = to.resolve(layout.name());
    if (Files.exists(target)) {
      throw new D4cException(ExitCode.BAD_INPUT, target + " exists already; remove it or choose another folder with --to");
    }
    Path partDir = to.resolve(".d4c-get");
    Locations.Ranking ranking = Locations.rank(t.locations(), layout.totalSize());
    List<SourceReport> excluded = new ArrayList<>();
    for (Locations.Location l : ranking.excluded()) excluded.add(new SourceReport(l.id(), "http", l.folder(), 0, 0, "excluded: " + l.why(), null, 0));
    List<SourceReport> used = new ArrayList<>();
    List<ReportSent> reports = new ArrayList<>();
    int resumed;
    int files;
    try (PieceStore store = new PieceStore(layout, partDir)) {
      times.mark("resolve");
      resumed = store.resume();
      progress.begin("getting " + t.itemId() + " (" + layout.numPieces() + " pieces)", layout.totalSize());
      HttpSwarm swarm = new HttpSwarm(layout, store, http, via == Via.TORRENT ? List.of() : ranking.ranked(), maxLocations,
          connectionsPerLocation, progress).maxRetryAfter(maxWait);
      List<HttpSwarm.BadPiece> bad = java.util.Collections.synchronizedList(new ArrayList<>());
      if (report != null) {
        swarm.onBadPiece(b -> { // one report per location: its first bad piece (its other workers may hit more at once)
          synchronized (bad) {
            if (bad.stream().noneMatch(x -> x.location().id().equals(b.location().id()))) bad.add(b);
          }
        });
      }
      FileHashes hashes = new FileHashes(layout, store).start();
      boolean complete;
      try {
        complete = swarm.run();
      } catch (InterruptedException | RuntimeException e) {
        hashes.stop();
        throw e;
      }
      times.mark("download");
      if (report != null && !bad.isEmpty()) reports.addAll(report(http, t, bad));
      Map<String, String> sha256 = hashes.finish();
      times.mark("hash-tail");
      List<String> healthy = new ArrayList<>();
      for (HttpSwarm.Source s : swarm.sources()) {
        Locations.Location l = s.location();
        if (s.bytes() > 0 || !s.verdict().equals("ok") || s.waitedMillis() > 0) {
          used.add(new SourceReport(l.id(), "http", l.folder(), s.bytes(), s.pieces(), s.verdict(), s.badPiece(), s.waitedMillis()));
        }
        if (!s.banned() && !s.verdict().startsWith("refused")) {
          healthy.add(webSeedOf(layout, l.folder()));
        }
      }
      if (!complete && via != Via.HTTP) {
        store.save(true);
        long before = store.count();
        long doneBytes = 0;
        for (int p = 0; p < layout.numPieces(); p++) if (store.has(p)) doneBytes += layout.pieceSize(p);
        store.close();
        TorrentFallback.Result r = TorrentFallback.run(t.torrent(), partDir, healthy, peers, swarmTimeout, progress, doneBytes);
        used.add(new SourceReport("swarm", "bittorrent", null, r.bytes(), Math.max(0, layout.numPieces() - before),
            r.complete() ? "ok" : r.detail(), null, 0));
        complete = r.complete();
        sha256 = Map.of(); // BitTorrent wrote the rest: every file is read again
      }
      progress.end();
      if (!complete) {
        throw new D4cException(ExitCode.FAILED, t.itemId() + ": " + (layout.numPieces() - store.count()) + " of " + layout.numPieces()
            + " pieces could not be fetched (" + describe(used, excluded) + "); run it again: verified pieces are kept in " + partDir);
      }
      files = checkManifest(store.root(), t.itemId(), sha256);
      times.mark("check");
      store.deleteState();
    } catch (IOException e) {
      throw new D4cException(ExitCode.FAILED, t.itemId() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new D4cException(ExitCode.FAILED, t.itemId() + ": interrupted; run it again to resume");
    }
    try {
      Files.move(partDir.resolve(layout.name()), target, StandardCopyOption.ATOMIC_MOVE);
      try (var s = Files.list(partDir)) {
        if (s.findAny().isEmpty()) Files.delete(partDir);
      }
    } catch (IOException e) {
      throw new D4cException(ExitCode.FAILED, "cannot move the verified download into " + target + ": " + e.getMessage(), e);
    }
    times.mark("move");
    times.print();
    return new Summary(t.itemId(), layout.name(), target, layout.totalSize(), layout.numPieces(), resumed, List.copyOf(used),
        List.copyOf(excluded), files, t.statusNote(), List.copyOf(reports), t.torrentNote());
  }

  private List<ReportSent> report(SafeHttp http, CatalogResolver.Target t, List<HttpSwarm.BadPiece> bad) {
    String url = report.isBlank() ? t.monitorUrl() : report.trim();
    if (url == null) {
      List<ReportSent> none = new ArrayList<>();
      for (HttpSwarm.BadPiece b : bad) {
        none.add(new ReportSent(b.location().id(), b.piece(), 0, null, "not reported: no --report URL, and the catalog's status.json names no monitor"));
      }
      return none;
    }
    URI monitor;
    try {
      monitor = URI.create(url.endsWith("/") ? url : url + "/");
    } catch (IllegalArgumentException e) {
      throw new D4cException(ExitCode.BAD_INPUT, "--report: not a URL: " + url);
    }
    List<ReportSent> sent = BadPieceReports.send(http, monitor, report.isBlank(), t.itemId(), t.layout(), List.copyOf(bad));
    for (ReportSent r : sent) {
      if (r.error() != null) System.err.println("d4c get: warning: the report of " + r.location() + " to " + monitor + " failed: " + r.error());
    }
    return sent;
  }

  private static String webSeedOf(TorrentLayout layout, String folder) {
    String suffix = CatalogResolver.encode(layout.name()) + "/";
    String base = folder.substring(0, folder.length() - suffix.length());
    for (String w : layout.webSeeds()) if (w.equals(base) || w.equals(base.substring(0, base.length() - 1))) return w;
    return base;
  }

  private static String describe(List<SourceReport> used, List<SourceReport> excluded) {
    List<String> parts = new ArrayList<>();
    for (SourceReport s : used) parts.add(s.id() + " " + s.verdict());
    for (SourceReport s : excluded) parts.add(s.id() + " " + s.verdict());
    return parts.isEmpty() ? "no location" : String.join("; ", parts);
  }

  /** Every output the manifest lists must have its sha256; returns how many files were checked. */
  static int checkManifest(Path root, String itemId, Map<String, String> known) throws IOException {
    Path manifest = root.resolve("manifest.json");
    if (!Files.isRegularFile(manifest)) throw new D4cException(ExitCode.NOT_VERIFIED, itemId + ": the download has no manifest.json");
    JsonNode m = new ObjectMapper().readTree(manifest.toFile());
    int n = 0;
    List<String> bad = new ArrayList<>();
    for (JsonNode o : m.path("outputs")) {
      String path = o.path("path").asText();
      Path f = root.resolve(path).normalize();
      if (!f.startsWith(root) || !Files.isRegularFile(f)) {
        bad.add(path + " is missing");
        continue;
      }
      String want = o.path("sha256").asText().toLowerCase(Locale.ROOT);
      String got = known.containsKey(path) ? known.get(path) : Hashing.sha256(f);
      if (!got.equals(want)) bad.add(path + ": sha256 " + got + ", the manifest says " + want);
      n++;
    }
    if (!bad.isEmpty()) throw new D4cException(ExitCode.NOT_VERIFIED, itemId + ": " + String.join("; ", bad));
    return n + 1;
  }

  /** Where the time of a get goes, on stderr when {@code -Dd4c.get.timings=true} (for the benchmark). */
  private static final class Timings {
    private final boolean on = Boolean.getBoolean("d4c.get.timings");
    private final StringBuilder sb = new StringBuilder();
    private long last = System.nanoTime();
    private final long startedMillis = on ? java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() : 0;

    void mark(String phase) {
      if (!on) return;
      long now = System.nanoTime();
      sb.append(phase).append(' ').append(String.format(Locale.ROOT, "%.2f", (now - last) / 1e9)).append(" s; ");
      last = now;
    }

    void print() {
      if (on) System.err.println("timings: jvm start " + String.format(Locale.ROOT, "%.2f", startedMillis / 1e3) + " s; " + sb);
    }
  }
}
