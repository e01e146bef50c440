package org.d4c.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.d4c.catalog.CatalogParquet;
import org.d4c.catalog.CatalogSource;
import org.d4c.catalog.status.State;
import org.d4c.catalog.status.StatusDocument;
import org.d4c.catalog.status.StatusKeys;
import org.d4c.catalog.status.StatusSignature;
import org.d4c.core.hash.Hashing;
import org.d4c.core.io.AtomicFiles;
import org.d4c.core.json.CanonicalJson;
import org.d4c.monitor.probe.NodeProber;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.probe.RangeClient;
import org.d4c.monitor.probe.RangePlan;
import org.d4c.monitor.probe.Targets;
import org.d4c.monitor.probe.Targets.ItemTarget;
import org.d4c.monitor.probe.TorrentPieces;
import org.d4c.monitor.quorum.Quorum;
import org.d4c.monitor.report.ReportException;
import org.d4c.monitor.report.ReportLog;
import org.d4c.monitor.store.History;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status service: reads the catalog, runs probe rounds ({@link Prober}), counts the other probe sites' signed
 * results ({@link Quorum}), keeps the history ({@link History}), writes and signs status.json, and takes community
 * reports (validated, triaged by re-fetching the range from every site, logged in the hash-chained {@link ReportLog}).
 */
public final class Monitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);
  public static final String SITE_RESULTS = "site-results.json";
  public static final String STATS_DIR = "stats";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final MonitorConfig config;
  private final KeyPair key;
  private final History history;
  private final ReportLog reportLog;
  private final RangeClient client;
  private final Prober prober;
  private final HttpClient peerHttp;
  private volatile List<ItemTarget> targets = List.of();
  private volatile Map<String, TorrentPieces> torrents = Map.of();
  private volatile Map<String, Location> locations = Map.of();
  private volatile String catalogSha = GENESIS_SHA;
  private static final String GENESIS_SHA = "0".repeat(64);
  private volatile StatusKeys keys;
  private final AtomicLong round = new AtomicLong();
  private final AtomicLong pendingTriage = new AtomicLong();
  private final AtomicLong reportCounter = new AtomicLong();
  private volatile String seed = GENESIS_SHA;
  /** location|item -> this site's last result. */
  private final Map<String, Prober.Result> own = new ConcurrentHashMap<>();
  private final Map<String, Instant> ownAt = new ConcurrentHashMap<>();
  /** peer site -> location|item -> state, with the time the peer's document was generated. */
  private final Map<String, Map<String, State>> peerStates = new ConcurrentHashMap<>();
  private final Map<String, Instant> peerSeen = new ConcurrentHashMap<>();
  /** location|item held out of routing by a confirmed report. */
  private final Map<String, String> heldOut = new ConcurrentHashMap<>();
  private volatile ObjectNode status;
  private volatile ObjectNode siteResults;
  private final ThreadPoolExecutor triage;
  private final Map<String, TriageCache> triageCache = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Object>> nodeStatus = new ConcurrentHashMap<>();
  private final NodeProber nodeProber;
  /** item id -> the catalog torrent's v1 info-hash (hex), for the Smart Node probes. */
  private volatile Map<String, String> infoHashes = Map.of();
  /** item id -> the Smart Nodes that served it when last read: a node counts as a location of the items it holds. */
  private final Map<String, java.util.SortedSet<String>> nodeItems = new ConcurrentHashMap<>();

  private record TriageCache(Instant at, State state, String detail) {}

  public Monitor(MonitorConfig config) {
    this.config = config;
    try {
      Files.createDirectories(config.dataDir());
      Files.createDirectories(config.outDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + config.dataDir() + " or " + config.outDir() + ": " + e.getMessage(), e);
    }
    this.key = Keys.load(config.keyFile() != null ? config.keyFile() : config.dataDir().resolve("monitor.key"));
    this.history = new History(config.dataDir().resolve("history.duckdb"));
    this.reportLog = new ReportLog(config.outDir(), key);
    this.client = new RangeClient(config.policy(), Duration.ofSeconds(20));
    this.prober = new Prober(client, config.probe(), config.clock());
    this.nodeProber = new NodeProber(config.probe(), config.site(), Duration.ofSeconds(20));
    this.peerHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    this.triage = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(5000));
    reportCounter.set(reportLog.entries());
    for (History.Incident i : history.openIncidents()) {
      if (i.id().startsWith("report:")) heldOut.put(i.location() + "|" + i.item(), i.id());
    }
  }

  public MonitorConfig config() {
    return config;
  }

  public History history() {
    return history;
  }

  public PublicKey publicKey() {
    return key.getPublic();
  }

  public ReportLog reportLog() {
    return reportLog;
  }

  public Map<String, Location> locations() {
    return locations;
  }

  public List<ItemTarget> targets() {
    return targets;
  }

  public long round() {
    return round.get();
  }

  public String seed() {
    return seed;
  }

  public Map<String, Map<String, Object>> nodes() {
    return nodeStatus;
  }

  /** Reads the catalog: items, locations, torrents; publishes this site's public key beside a local catalog. */
  public synchronized void loadCatalog() {
    try (CatalogSource src = CatalogSource.open(config.catalog())) {
      Path parquet = src.parquet();
      catalogSha = Hashing.sha256(parquet);
      var contents = CatalogParquet.read(parquet);
      List<ItemTarget> ts = Targets.of(contents.items(), src.baseUri(), config.prefixes());
      Map<String, TorrentPieces> tor = new HashMap<>();
      Map<String, String> hashes = new HashMap<>();
      List<ItemTarget> withSeeds = new ArrayList<>();
      for (ItemTarget t : ts) {
        TorrentPieces tp = fetchTorrent(t);
        if (tp != null) {
          tor.put(t.item(), tp);
          if (lastInfoHash != null) hashes.put(t.item(), lastInfoHash);
          t = Targets.withWebSeeds(t, tp, webSeeds, config.prefixes());
        }
        withSeeds.add(t);
      }
      Map<String, Location> locs = new TreeMap<>();
      for (ItemTarget t : withSeeds) {
        for (String id : t.urls().keySet()) {
          String kind = id.startsWith("seed-") ? Location.WEB_SEED : Location.kindOf(id);
          locs.putIfAbsent(id, new Location(id, kind, null, null));
        }
      }
      for (Map.Entry<String, String> n : config.nodes().entrySet()) {
        locs.put(n.getKey(), new Location(n.getKey(), Location.SMART_NODE, null, n.getValue()));
      }
      Path keysFile = src.file(StatusKeys.FILE);
      StatusKeys known = keysFile == null ? null : StatusKeys.read(keysFile);
      if (!src.isRemote()) {
        JsonNode doc = null;
        if (keysFile != null) doc = CanonicalJson.mapper().readTree(Files.readAllBytes(keysFile));
        ObjectNode updated = StatusKeys.withKey(doc, config.site(), key.getPublic());
        if (doc == null || !CanonicalJson.toString(doc).equals(CanonicalJson.toString(updated))) {
          AtomicFiles.write(src.dir().resolve(StatusKeys.FILE), CanonicalJson.toBytes(updated));
        }
        known = StatusKeys.parse(updated);
      }
      keys = known;
      Map<String, double[]> boxes = new TreeMap<>();
      for (ObjectNode item : contents.items()) {
        JsonNode b = item.path("bbox");
        // An item of tables only has a null geometry and no bbox: it has no place on the coverage map.
        if (b.size() >= 4) boxes.put(item.path("id").asText(), new double[] {b.get(0).asDouble(), b.get(1).asDouble(),
            b.get(b.size() / 2).asDouble(), b.get(b.size() / 2 + 1).asDouble()});
      }
      bboxes = boxes;
      targets = withSeeds;
      torrents = tor;
      infoHashes = hashes;
      locations = locs;
      LOG.info("catalog {}: {} items, {} locations", config.catalog(), withSeeds.size(), locs.size());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the catalog " + config.catalog() + ": " + e.getMessage(), e);
    }
  }

  private List<String> webSeeds = List.of();
  private String lastInfoHash;
  private volatile Map<String, double[]> bboxes = Map.of();

  /** The torrent of an item, from the first location whose copy has the catalog's sha256 (null without one). */
  private TorrentPieces fetchTorrent(ItemTarget t) {
    webSeeds = List.of();
    lastInfoHash = null;
    if (t.torrentUrls().isEmpty() || t.torrentSha256() == null) return null;
    Path cached = config.dataDir().resolve("torrents").resolve(t.torrentSha256() + ".torrent");
    try {
      byte[] bytes = Files.exists(cached) ? Files.readAllBytes(cached) : null;
      if (bytes == null) {
        for (URI u : t.torrentUrls().values()) {
          RangeClient.Fetch f = client.get(u, 0, 16L << 20);
          if (f.ok() && Hashing.sha256(f.body()).equals(t.torrentSha256())) {
            bytes = f.body();
            Files.createDirectories(cached.getParent());
            AtomicFiles.write(cached, bytes);
            break;
          }
        }
      }
      if (bytes == null) {
        LOG.warn("{}: no location served its torrent with the catalog's sha256; checking small files by sha256 only", t.item());
        return null;
      }
      TorrentPieces tp = TorrentPieces.parse(bytes, t.item() + ".torrent");
      webSeeds = TorrentPieces.webSeeds(bytes);
      lastInfoHash = TorrentPieces.infoHash(bytes);
      return tp;
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("{}: cannot use its torrent: {}", t.item(), e.getMessage());
      return null;
    }
  }

  /** One round: probe, pull the peers' results, combine, update incidents, write status.json. */
  public synchronized ObjectNode runRound() {
    long r = round.incrementAndGet();
    seed = RangePlan.seed(catalogSha, r);
    Instant start = config.clock().instant();
    Map<String, JsonNode> nodeDocs = pollNodes(start);
    List<Prober.Result> results = new ArrayList<>(prober.round(targets, torrents, seed));
    results.addAll(probeNodes(nodeDocs));
    lastResults = results;
    Instant at = config.clock().instant();
    for (Prober.Result x : results) {
      if (x.state() == null) continue;
      own.put(x.location() + "|" + x.item(), x);
      ownAt.put(x.location() + "|" + x.item(), at);
    }
    history.probes(config.site(), r, at, results);
    siteResults = signedSiteResults(r, at);
    AtomicFiles.write(config.outDir().resolve(SITE_RESULTS), CanonicalJson.toBytes(siteResults));
    pullPeers();
    hourCache.clear();
    // Computed here, once a round, so API clients never queue behind the first query after a round.
    hourOfWeek(null);
    status = buildStatus(r, at);
    exportYesterday(at);
    publish();
    LOG.info("round {}: {} probes in {} ms", r, results.size(), Duration.between(start, at).toMillis());
    return status;
  }

  public ObjectNode status() {
    return status;
  }

  private volatile List<Prober.Result> lastResults = List.of();

  /** This site's probe results of the last round (bytes and requests per location × item; benchmarks). */
  public List<Prober.Result> lastResults() {
    return lastResults;
  }

  /** Hour-of-week statistics change only with a round: computed once per round and location. */
  private final Map<String, List<Map<String, Object>>> hourCache = new ConcurrentHashMap<>();

  public List<Map<String, Object>> hourOfWeek(String location) {
    return hourCache.computeIfAbsent(location == null ? "" : location, k -> history.hourOfWeek(location));
  }

  public List<Map<String, Object>> trafficByHourOfWeek() {
    return hourCache.computeIfAbsent("\0traffic", k -> history.trafficByHourOfWeek());
  }

  public ObjectNode siteResults() {
    return siteResults;
  }

  private ObjectNode signedSiteResults(long r, Instant at) {
    ObjectNode doc = NODES.objectNode();
    doc.put("site", config.site()).put("round", r).put("generated", CatalogParquet.formatInstant(at)).put("probe_seed", seed);
    ArrayNode arr = doc.putArray("results");
    for (Map.Entry<String, Prober.Result> e : new TreeMap<>(own).entrySet()) {
      Prober.Result x = e.getValue();
      ObjectNode o = arr.addObject().put("location", x.location()).put("item", x.item()).put("state", x.state().json());
      if (x.latencyMs() != null) o.put("latency_ms", round3(x.latencyMs()));
      if (x.throughputBps() != null) o.put("throughput_bps", Math.round(x.throughputBps()));
    }
    return StatusSignature.sign(doc, key);
  }

  /** Fetches each peer's signed results; a document not signed by a key in the catalog is ignored. */
  private void pullPeers() {
    for (URI peer : config.peers()) {
      try {
        HttpResponse<byte[]> r = peerHttp.send(HttpRequest.newBuilder(peer.resolve("/v1/site-results")).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) continue;
        acceptPeerResults((ObjectNode) CanonicalJson.mapper().readTree(r.body()));
      } catch (IOException | RuntimeException e) {
        LOG.warn("peer {}: {}", peer, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Counts a peer's site results when its signature checks against the catalog's keys. */
  public boolean acceptPeerResults(ObjectNode doc) {
    StatusKeys k = keys;
    String keyId = doc.path("signature").path("key_id").asText();
    PublicKey pk = k == null ? null : k.key(keyId);
    if (pk == null || !StatusSignature.verify(doc, pk)) {
      LOG.warn("ignoring site results from {}: not signed by a key in {}", doc.path("site").asText(), StatusKeys.FILE);
      return false;
    }
    String site = doc.path("site").asText();
    if (site.equals(config.site())) return false;
    Map<String, State> m = new HashMap<>();
    for (JsonNode x : doc.path("results")) m.put(x.path("location").asText() + "|" + x.path("item").asText(), State.of(x.path("state").asText()));
    peerStates.put(site, m);
    peerSeen.put(site, CatalogParquet.parseInstant(doc.path("generated").asText()));
    return true;
  }

  /** The sites' verdicts on location × item (peers older than three intervals do not count). */
  Map<String, State> sites(String key) {
    Map<String, State> out = new TreeMap<>();
    Prober.Result mine = own.get(key);
    if (mine != null) out.put(config.site(), mine.state());
    Instant cutoff = config.clock().instant().minus(config.interval().multipliedBy(3));
    for (Map.Entry<String, Map<String, State>> p : peerStates.entrySet()) {
      Instant seen = peerSeen.get(p.getKey());
      if (seen == null || seen.isBefore(cutoff)) continue;
      State s = p.getValue().get(key);
      if (s != null) out.put(p.getKey(), s);
    }
    return out;
  }

  private ObjectNode buildStatus(long r, Instant at) {
    ObjectNode doc = StatusDocument.skeleton();
    List<String> allSites = new ArrayList<>();
    allSites.add(config.site());
    peerStates.keySet().stream().sorted().forEach(allSites::add);
    ObjectNode m = doc.putObject("monitor").put("site", config.site());
    allSites.forEach(m.withArray("sites")::add);
    m.put("quorum", config.quorum());
    if (config.publicUrl() != null) {
      // A 1.1 field: documents without it stay 1.0.0 documents.
      doc.put("status_version", StatusDocument.VERSION_1_1);
      m.put("url", config.publicUrl());
    }
    doc.put("round", r).put("generated", CatalogParquet.formatInstant(at)).put("probe_seed", seed);
    Map<String, State> worst = new TreeMap<>();
    Map<String, int[]> counts = new TreeMap<>();
    ArrayNode items = doc.putArray("items");
    for (ItemTarget t : targets) {
      ObjectNode io = items.addObject().put("id", t.item()).put("collection", t.collection());
      ArrayNode ls = io.putArray("locations");
      for (String loc : servedBy(t)) {
        String k = loc + "|" + t.item();
        Map<String, State> sites = sites(k);
        State s = Quorum.combine(sites, config.quorum());
        boolean held = heldOut.containsKey(k);
        if (s.usable() && held && sites.containsKey(config.site()) && ownAt.getOrDefault(k, Instant.EPOCH).isAfter(heldSince(k))) {
          // A probe after the confirmed report verified it again: the incident closes.
          closeReportIncident(k, at);
          held = false;
        }
        Prober.Result x = own.get(k);
        ObjectNode lo = ls.addObject().put("location", loc).put("state", s.json()).put("routable", s.usable() && !held);
        lo.set("latency_ms", x == null || x.latencyMs() == null ? NODES.nullNode() : NODES.numberNode(round3(x.latencyMs())));
        lo.set("throughput_bps", x == null || x.throughputBps() == null ? NODES.nullNode() : NODES.numberNode(Math.round(x.throughputBps())));
        Instant c = ownAt.get(k);
        lo.set("checked", c == null ? NODES.nullNode() : NODES.textNode(CatalogParquet.formatInstant(c)));
        if (x != null && x.detail() != null) lo.put("detail", x.detail());
        ObjectNode so = lo.putObject("sites");
        sites.forEach((site, st) -> so.put(site, st.json()));
        worst.merge(loc, s, State::worse);
        int[] cnt = counts.computeIfAbsent(loc, q -> new int[2]);
        cnt[0]++;
        if (s == State.VERIFIED || s == State.SLOW) cnt[1]++;
        syncQuorumIncident(loc, t.item(), s, x, at);
      }
    }
    Map<String, Map<String, Object>> stats = history.locationStats(at.minus(24, ChronoUnit.HOURS));
    ArrayNode locs = doc.putArray("locations");
    for (Location l : locations.values()) {
      ObjectNode lo = locs.addObject().put("id", l.id()).put("kind", l.kind());
      if (l.title() != null) lo.put("title", l.title());
      State s = worst.getOrDefault(l.id(), State.UNKNOWN);
      int[] cnt = counts.getOrDefault(l.id(), new int[2]);
      if (l.kind().equals(Location.SMART_NODE) && !worst.containsKey(l.id())) {
        // A node that holds none of the catalog's pieces yet has no byte probe: its status API tells up or down.
        Map<String, Object> ns = nodeStatus.get(l.id());
        s = ns == null ? State.UNKNOWN : Boolean.TRUE.equals(ns.get("up")) ? State.VERIFIED : State.DOWN;
      }
      lo.put("state", s.json()).put("items", cnt[0]).put("verified", cnt[1]);
      Map<String, Object> st = stats.getOrDefault(l.id(), Map.of());
      lo.set("uptime_24h", num(st.get("uptime")));
      lo.set("latency_ms_p50", num(st.get("latency_p50")));
      lo.set("throughput_bps_p50", num(st.get("throughput_p50")));
    }
    ArrayNode inc = doc.putArray("incidents");
    reportCounter.set(reportLog.entries());
    for (History.Incident i : history.openIncidents()) {
      ObjectNode o = inc.addObject().put("id", i.id()).put("location", i.location()).put("item", i.item()).put("state", i.state())
          .put("opened", CatalogParquet.formatInstant(i.opened())).put("reports", i.reports());
      if (i.summary() != null) o.put("summary", i.summary().length() > 500 ? i.summary().substring(0, 500) : i.summary());
    }
    StatusSignature.sign(doc, key);
    List<String> problems = StatusDocument.problems(doc);
    if (!problems.isEmpty()) throw new IllegalStateException("status.json would break its schema: " + problems);
    return doc;
  }

  private final Map<String, Instant> heldAt = new ConcurrentHashMap<>();

  private Instant heldSince(String k) {
    return heldAt.getOrDefault(k, Instant.EPOCH);
  }

  /** A quorum verdict of down/corrupt/stale opens an incident; a usable verdict closes it. */
  private void syncQuorumIncident(String loc, String item, State s, Prober.Result x, Instant at) {
    String id = "probe:" + loc + ":" + item;
    if (s == State.DOWN || s == State.CORRUPT || s == State.STALE) {
      boolean open = history.openIncidents().stream().anyMatch(i -> i.id().equals(id));
      if (!open) history.openIncident(new History.Incident(id, loc, item, s.json(), at, 0, x == null ? s.json() : x.detail()));
    } else if (s.usable()) {
      history.closeIncident(id, at);
    }
  }

  private void closeReportIncident(String k, Instant at) {
    String id = heldOut.remove(k);
    if (id != null) history.closeIncident(id, at);
  }

  /** Writes status.json (signed), the checkpoint and the site results to the output folder and every publish folder. */
  private void publish() {
    byte[] bytes = CanonicalJson.toBytes(status);
    AtomicFiles.write(config.outDir().resolve(StatusDocument.FILE), bytes);
    reportLog.checkpoint(CatalogParquet.formatInstant(config.clock().instant()));
    for (Path d : config.publishDirs()) {
      try {
        Files.createDirectories(d);
        AtomicFiles.write(d.resolve(StatusDocument.FILE), bytes);
        for (String f : List.of(ReportLog.LOG, ReportLog.CHECKPOINT, StatusKeys.FILE)) {
          Path src = config.outDir().resolve(f);
          if (Files.exists(src)) {
            Path tmp = d.resolve(f + ".part");
            Files.copy(src, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, d.resolve(f), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          }
        }
      } catch (IOException e) {
        LOG.warn("cannot publish to {}: {}", d, e.getMessage());
      }
    }
    if (config.mirrors() != null) config.mirrors().push(config.outDir(), publishedNames());
  }

  /** What goes to the catalog mirrors, relative to the output folder: the state, its keys, the report log, the statistics. */
  List<String> publishedNames() {
    List<String> names = new ArrayList<>(List.of(StatusDocument.FILE, StatusKeys.FILE, ReportLog.LOG, ReportLog.CHECKPOINT));
    Path stats = config.outDir().resolve(STATS_DIR);
    if (Files.isDirectory(stats)) {
      try (var s = Files.list(stats)) {
        s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet")).sorted().forEach(n -> names.add(STATS_DIR + "/" + n));
      } catch (IOException e) {
        LOG.warn("cannot list {}: {}", stats, e.getMessage());
      }
    }
    return names;
  }

  /** The previous UTC day's probes as {@code stats/probes-DAY.parquet}, once. */
  private void exportYesterday(Instant at) {
    LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate().minusDays(1);
    exportDay(day, false);
  }

  public Path exportDay(LocalDate day, boolean again) {
    Path file = config.outDir().resolve(STATS_DIR).resolve("probes-" + day + ".parquet");
    if (!Files.exists(file) || again) {
      try {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        history.exportProbes(day.atStartOfDay(ZoneOffset.UTC).toInstant(), day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot export " + file + ": " + e.getMessage(), e);
      }
    }
    if (config.statsCatalog() != null) {
      try {
        String id = org.d4c.monitor.store.StatisticsItem.add(config.statsCatalog(), config.dataDir().resolve("stats-builds"), config.site(), day, file, bboxes);
        if (id != null) LOG.info("statistics of {} added to {} as {}", day, config.statsCatalog(), id);
      } catch (RuntimeException e) {
        LOG.warn("cannot add the statistics of {} to {}: {}", day, config.statsCatalog(), org.d4c.core.error.D4cException.messageOf(e));
      }
    }
    return file;
  }

  /**
   * Byte probes of every Smart Node whose status was read: pieces it holds, fetched over BitTorrent. A node whose status
   * does not answer is down for every item it served when last read.
   */
  private List<Prober.Result> probeNodes(Map<String, JsonNode> docs) {
    List<Prober.Result> out = new ArrayList<>();
    for (Map.Entry<String, String> n : config.nodes().entrySet()) {
      String id = n.getKey();
      JsonNode doc = docs.get(id);
      List<Prober.Result> rs;
      if (doc == null) {
        rs = new ArrayList<>();
        for (Map.Entry<String, java.util.SortedSet<String>> e : new TreeMap<>(nodeItems).entrySet()) {
          if (e.getValue().contains(id)) {
            Object err = nodeStatus.getOrDefault(id, Map.of()).get("error");
            rs.add(new Prober.Result(id, e.getKey(), State.DOWN, null, null, 0, 0, "its status API does not answer" + (err == null ? "" : ": " + err)));
          }
        }
      } else {
        rs = nodeProber.probe(id, URI.create(n.getValue()), doc, targets, torrents, infoHashes, seed);
        for (java.util.SortedSet<String> set : nodeItems.values()) set.remove(id);
        for (Prober.Result x : rs) nodeItems.computeIfAbsent(x.item(), k -> new java.util.concurrent.ConcurrentSkipListSet<>()).add(id);
      }
      out.addAll(rs);
    }
    return out;
  }

  /** Polls every Smart Node's status API for its traffic totals (its announced location); returns the documents read. */
  private Map<String, JsonNode> pollNodes(Instant at) {
    Map<String, JsonNode> docs = new TreeMap<>();
    for (Map.Entry<String, String> n : config.nodes().entrySet()) {
      Map<String, Object> m = new LinkedHashMap<>();
      try {
        HttpResponse<byte[]> r = peerHttp.send(HttpRequest.newBuilder(URI.create(n.getValue())).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
        JsonNode s = CanonicalJson.mapper().readTree(r.body());
        JsonNode t = s.path("totals");
        m.put("up", r.statusCode() == 200);
        m.put("uploaded", t.path("uploaded").asLong());
        m.put("downloaded", t.path("downloaded").asLong());
        m.put("upload_rate", t.path("upload_rate").asDouble());
        m.put("download_rate", t.path("download_rate").asDouble());
        m.put("datasets", t.path("datasets").asInt());
        int peers = 0;
        for (JsonNode d : s.path("datasets")) peers += d.path("peers").asInt();
        m.put("peers", peers);
        history.traffic(at, n.getKey(), t.path("uploaded").asLong(), t.path("downloaded").asLong(), t.path("upload_rate").asDouble(),
            t.path("download_rate").asDouble(), peers);
        if (r.statusCode() == 200) docs.put(n.getKey(), s);
      } catch (IOException | RuntimeException e) {
        m.put("up", false);
        m.put("error", e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return docs;
      }
      m.put("at", CatalogParquet.formatInstant(at));
      nodeStatus.put(n.getKey(), m);
    }
    return docs;
  }

  // ---------------------------------------------------------------- reports

  public static final int MAX_REPORT_BYTES = 8192;
  public static final long MAX_RANGE = 16L << 20;
  private static final java.util.Set<String> PROBLEMS = java.util.Set.of("corrupt", "down", "slow", "stale", "other");

  /** What a validated report became: its id and sequence number in the log; the verdict follows after triage. */
  public record Accepted(String id, long seq) {}

  /**
   * Validates a report and queues its triage. Refuses (with the reason) a report about an item or location the
   * catalog does not name, a file the item does not have, a range outside the file, or anything over the size limits;
   * nothing is fetched for a refused report, and no URL from the report is ever fetched.
   */
  public Accepted submit(JsonNode body) {
    try {
      return submitAsync(body).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException x) throw x;
      throw e;
    }
  }

  /**
   * Like {@link #submit}, but returns once the report is validated and written: the future completes when it is on
   * disk (and queued for triage), so the caller's thread does not wait for the disk. A refused report throws at once.
   */
  public java.util.concurrent.CompletableFuture<Accepted> submitAsync(JsonNode body) {
    if (!(body instanceof ObjectNode r)) throw new ReportException("expected a JSON object");
    for (var it = r.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of("item", "location", "problem", "file", "range", "expected_sha256", "observed_sha256", "http_status", "elapsed_ms", "note").contains(f)) {
        throw new ReportException("unknown field " + f + " (allowed: item, location, problem, file, range, expected_sha256, observed_sha256, http_status, elapsed_ms, note)");
      }
    }
    String item = text(r, "item", 200, true);
    String loc = text(r, "location", 64, true);
    String problem = text(r, "problem", 16, true);
    if (!PROBLEMS.contains(problem)) throw new ReportException("problem: expected one of corrupt, down, slow, stale, other, got " + problem);
    ItemTarget t = targets.stream().filter(x -> x.item().equals(item)).findFirst()
        .orElseThrow(() -> new ReportException("item: " + item + " is not in the catalog"));
    if (!t.urls().containsKey(loc) && config.nodes().containsKey(loc)) {
      throw new ReportException("location: " + loc + " is a Smart Node; reports take HTTP locations only (the monitor checks the node's pieces over BitTorrent every round)");
    }
    if (!t.urls().containsKey(loc)) {
      throw new ReportException("location: " + loc + " does not serve " + item + " in the catalog (known: " + String.join(", ", t.urls().keySet()) + ")");
    }
    String file = text(r, "file", 300, false);
    Targets.FileInfo fi = null;
    if (file != null) {
      fi = t.files().stream().filter(f -> f.path().equals(file)).findFirst()
          .orElseThrow(() -> new ReportException("file: " + item + " has no file " + file));
    }
    Long from = null, to = null;
    if (r.has("range")) {
      if (fi == null) throw new ReportException("range: needs file");
      JsonNode rg = r.get("range");
      if (!rg.path("from").canConvertToLong() || !rg.path("to").canConvertToLong()) throw new ReportException("range: expected {\"from\": N, \"to\": N} (to exclusive)");
      from = rg.get("from").asLong();
      to = rg.get("to").asLong();
      if (from < 0 || to <= from || (fi.size() >= 0 && to > fi.size())) throw new ReportException("range: " + from + "-" + to + " is not inside " + file + " (" + fi.size() + " bytes)");
      if (to - from > MAX_RANGE) throw new ReportException("range: at most " + MAX_RANGE + " bytes");
    }
    String expected = hex(r, "expected_sha256");
    String observed = hex(r, "observed_sha256");
    Integer http = null;
    if (r.has("http_status")) {
      if (!r.get("http_status").canConvertToInt() || r.get("http_status").asInt() < 100 || r.get("http_status").asInt() > 599) throw new ReportException("http_status: expected 100-599");
      http = r.get("http_status").asInt();
    }
    Double elapsed = null;
    if (r.has("elapsed_ms")) {
      if (!r.get("elapsed_ms").isNumber() || r.get("elapsed_ms").asDouble() < 0) throw new ReportException("elapsed_ms: expected a number >= 0");
      elapsed = r.get("elapsed_ms").asDouble();
    }
    String note = text(r, "note", 500, false);
    Instant now = config.clock().instant();
    ObjectNode entry = NODES.objectNode();
    entry.put("type", "report").put("received", CatalogParquet.formatInstant(now)).put("item", item).put("location", loc).put("problem", problem);
    if (file != null) entry.put("file", file);
    if (from != null) entry.putObject("range").put("from", from).put("to", to);
    if (expected != null) entry.put("expected_sha256", expected);
    if (observed != null) entry.put("observed_sha256", observed);
    if (http != null) entry.put("http_status", http);
    if (elapsed != null) entry.put("elapsed_ms", elapsed);
    if (note != null) entry.put("note", note);
    String id = "r-" + Hashing.sha256(CanonicalJson.toBytes(entry)).substring(0, 16) + "-" + reportCounter.incrementAndGet();
    entry.put("id", id);
    ReportLog.Appended appended = reportLog.appendAsync(entry);
    long seq = appended.seq();
    History.Report rec = new History.Report(id, seq, now, item, loc, file, from, to, problem, expected, observed, http, elapsed, "pending", null);
    final Targets.FileInfo ffi = fi;
    final Long ff = from, ft = to;
    return appended.onDisk().thenApply(onDisk -> {
      history.report(rec);
      pendingTriage.incrementAndGet();
      try {
        triage.execute(() -> {
          try {
            triage(rec, t, ffi, ff, ft);
          } finally {
            pendingTriage.decrementAndGet();
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        pendingTriage.decrementAndGet();
        throw new IllegalStateException("triage queue is full");
      }
      return new Accepted(id, seq);
    });
  }

  private static String text(ObjectNode r, String field, int max, boolean required) {
    JsonNode v = r.get(field);
    if (v == null || v.isNull()) {
      if (required) throw new ReportException(field + ": required");
      return null;
    }
    if (!v.isTextual() || v.asText().isEmpty()) throw new ReportException(field + ": expected a non-empty string");
    if (v.asText().length() > max) throw new ReportException(field + ": at most " + max + " characters");
    return v.asText();
  }

  private static String hex(ObjectNode r, String field) {
    String s = text(r, field, 64, false);
    if (s != null && !s.matches("[0-9a-f]{64}")) throw new ReportException(field + ": expected 64 lowercase hex digits");
    return s;
  }

  /** Re-fetches what the report names here and at every peer; records the verdict and opens an incident when confirmed. */
  private void triage(History.Report rec, ItemTarget t, Targets.FileInfo fi, Long from, Long to) {
    try {
      Map<String, State> sites = new TreeMap<>();
      String detail = triageHere(t, rec.location(), fi, from, to);
      State mine = State.of(detail.substring(0, detail.indexOf(':')));
      sites.put(config.site(), mine);
      for (URI peer : config.peers()) {
        try {
          ObjectNode q = NODES.objectNode().put("item", t.item()).put("location", rec.location());
          if (fi != null) q.put("file", fi.path());
          if (from != null) q.putObject("range").put("from", from).put("to", to);
          HttpResponse<byte[]> r = peerHttp.send(HttpRequest.newBuilder(peer.resolve("/v1/triage")).timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(CanonicalJson.toBytes(q))).build(),
              HttpResponse.BodyHandlers.ofByteArray());
          if (r.statusCode() == 200) {
            JsonNode a = CanonicalJson.mapper().readTree(r.body());
            sites.put(a.path("site").asText("peer"), State.of(a.path("state").asText()));
          }
        } catch (IOException | RuntimeException e) {
          LOG.warn("peer {} could not triage: {}", peer, e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      long bad = sites.values().stream().filter(s -> !s.usable()).count();
      String verdict = bad >= config.quorum() ? "confirmed" : bad > 0 ? "regional" : "not-reproduced";
      Instant now = config.clock().instant();
      ObjectNode v = NODES.objectNode().put("type", "verdict").put("report", rec.id()).put("verdict", verdict)
          .put("decided", CatalogParquet.formatInstant(now)).put("detail", detail.length() > 500 ? detail.substring(0, 500) : detail);
      ObjectNode so = v.putObject("sites");
      sites.forEach((s, st) -> so.put(s, st.json()));
      reportLog.append(v, false);
      history.report(new History.Report(rec.id(), rec.seq(), rec.received(), rec.item(), rec.location(), rec.file(), rec.rangeFrom(),
          rec.rangeTo(), rec.problem(), rec.expectedSha256(), rec.observedSha256(), rec.httpStatus(), rec.elapsedMs(), verdict, detail));
      if (verdict.equals("confirmed")) {
        String k = rec.location() + "|" + t.item();
        String id = "report:" + rec.location() + ":" + t.item();
        State worst = sites.values().stream().filter(s -> !s.usable()).reduce(State.UNKNOWN, State::worse);
        history.openIncident(new History.Incident(id, rec.location(), t.item(), worst.json(), now, 1, "confirmed report " + rec.id() + ": " + detail));
        heldOut.put(k, id);
        heldAt.put(k, now);
      }
    } catch (RuntimeException e) {
      LOG.warn("triage of {} failed: {}", rec.id(), e.getMessage());
    }
  }

  /**
   * Checks what a report names from this site: the torrent pieces covering the range (at most four), or the whole file
   * by sha256 when small, or the round's planned pieces when the report names no file. Returns "state: detail".
   * Results are cached for a minute per location × item × range so a burst of reports costs the location one fetch.
   */
  public String triageHere(ItemTarget t, String location, Targets.FileInfo fi, Long from, Long to) {
    String cacheKey = location + "|" + t.item() + "|" + (fi == null ? "" : fi.path()) + "|" + from + "|" + to;
    TriageCache c = triageCache.get(cacheKey);
    Instant now = config.clock().instant();
    if (c != null && c.at().isAfter(now.minusSeconds(60))) return c.state().json() + ": " + c.detail();
    TorrentPieces tp = torrents.get(t.item());
    ItemTarget only = new ItemTarget(t.item(), t.collection(), t.files(), t.torrentUrls(), t.torrentSha256(), Map.of(location, t.urls().get(location)));
    Prober.Result res;
    if (fi != null && tp != null) {
      TorrentPieces.TorrentFile tf = tp.files().stream().filter(f -> f.path().equals(fi.path())).findFirst().orElse(null);
      long a = tf == null ? 0 : tf.offset() + (from == null ? 0 : from);
      long b = tf == null ? 0 : tf.offset() + (to == null ? Math.min(tf.size(), 1) : to);
      int first = (int) (a / tp.pieceLength());
      int last = (int) Math.min(tp.pieces() - 1, Math.max(first, (b - 1) / tp.pieceLength()));
      last = Math.min(last, first + 3);
      List<Integer> pieces = new ArrayList<>();
      for (int p = first; p <= last; p++) pieces.add(p);
      res = prober.probePieces(location, only, tp, pieces);
    } else {
      res = prober.probe(location, only, tp, seed, new Prober.Budget(Long.MAX_VALUE, Integer.MAX_VALUE));
    }
    State s = res.state() == null ? State.DOWN : res.state();
    String d = res.detail() == null ? "" : res.detail();
    triageCache.put(cacheKey, new TriageCache(now, s, d));
    return s.json() + ": " + d;
  }

  public ItemTarget target(String item) {
    return targets.stream().filter(x -> x.item().equals(item)).findFirst().orElse(null);
  }

  /** Waits for queued triage (tests, shutdown). */
  public void awaitTriage(Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (pendingTriage.get() > 0 && System.nanoTime() < end) Thread.sleep(20);
  }

  public int triageQueued() {
    return (int) pendingTriage.get();
  }

  private static JsonNode num(Object o) {
    if (o == null) return NODES.nullNode();
    double d = ((Number) o).doubleValue();
    return Double.isFinite(d) ? NODES.numberNode(round3(d)) : NODES.nullNode();
  }

  private static double round3(double d) {
    return Math.round(d * 1000) / 1000.0;
  }

  @Override
  public void close() {
    triage.shutdown();
    try {
      triage.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reportLog.close();
    history.close();
    if (config.mirrors() != null) config.mirrors().close();
  }

  /** Dashboard/API helper: the state strings as a map for a quick look-up. */
  public Map<String, State> combined(String item) {
    Map<String, State> out = new TreeMap<>();
    ItemTarget t = target(item);
    if (t == null) return out;
    for (String loc : servedBy(t)) out.put(loc, Quorum.combine(sites(loc + "|" + item), config.quorum()));
    return out;
  }

  /** The locations of an item: its HTTP locations and the Smart Nodes that held pieces of it when last read. */
  private java.util.SortedSet<String> servedBy(ItemTarget t) {
    java.util.SortedSet<String> served = new java.util.TreeSet<>(t.urls().keySet());
    served.addAll(nodeItems.getOrDefault(t.item(), java.util.Collections.emptySortedSet()));
    return served;
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
