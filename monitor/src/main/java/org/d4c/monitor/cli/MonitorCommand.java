package org.d4c.monitor.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.d4c.catalog.CatalogSource;
import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;
import org.d4c.core.io.AtomicFiles;
import org.d4c.core.net.AddressPolicy;
import org.d4c.core.net.HostPort;
import org.d4c.monitor.Location;
import org.d4c.monitor.Monitor;
import org.d4c.monitor.MonitorConfig;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.publish.StatusMirrors;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.monitor.web.Dashboard;
import org.d4c.monitor.web.MonitorApi;
import org.d4c.monitor.web.MonitorServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "monitor", mixinStandardHelpOptions = true,
    description = {"Watches every storage location of every catalog item: each round fetches a few byte ranges drawn from a",
        "published seed and checks them against the torrent's piece hashes (or a small file's sha256); classifies each",
        "location x item as verified, slow, stale, corrupt or down (regional when fewer probe sites than the quorum agree);",
        "keeps the history in DuckDB; writes a signed status.json beside the catalog; serves a dashboard, a JSON API",
        "(/v1/status, /v1/locations/ID, /v1/items/ID, /v1/load, /v1/reports) and Prometheus /metrics; takes reports.",
        "%nBinds to 127.0.0.1 unless --listen says otherwise. Stops with Ctrl-C.%n"},
    footer = {"", "Examples:",
        "  ./d4c monitor --catalog out/catalog",
        "  ./d4c monitor --catalog https://data.example.org/catalog/ --data /var/lib/d4c-monitor --site ottawa \\",
        "      --location r2=https://data.example.org/datasets/ --node seed1=http://10.0.0.5:8089/status",
        "  ./d4c monitor --catalog out/catalog --site a --quorum 2 --peer http://monitor-b.example.org:8090/",
        "  ./d4c monitor --catalog out/catalog --once --export-dashboard out/status-page"})
public final class MonitorCommand implements Callable<Integer> {
  @Option(names = "--catalog", required = true, paramLabel = "URL|PATH", description = "The catalog folder or URL.")
  String catalog;

  @Option(names = "--listen", defaultValue = "127.0.0.1:8090", paramLabel = "HOST:PORT", description = "API and dashboard address (default: ${DEFAULT-VALUE}).")
  HostPort listen;

  @Option(names = "--data", defaultValue = ".d4c-monitor", paramLabel = "DIR", description = "History database and signing key (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--out", paramLabel = "DIR", description = "Where status.json, the report log and statistics go (default: the catalog folder when local, else DATA/public).")
  Path out;

  @Option(names = "--publish-dir", paramLabel = "DIR", description = "A folder mirror that gets a copy of status.json and the report log (repeatable).")
  List<Path> publishDirs = new ArrayList<>();

  @Option(names = "--mirrors", paramLabel = "FILE", description = {"The publisher's mirror file: its mirrors marked `catalog: true` (S3 or",
      "folders) get status.json, the status keys, the report log and the statistics beside the catalog every round.",
      "Credentials come from the environment variables the file names."})
  Path mirrors;

  @Option(names = "--public-url", paramLabel = "URL", description = {"The public address of this monitor's API (http(s), no query),",
      "published in status.json as monitor.url: where `d4c report` and `d4c get --report` post."})
  String publicUrl;

  @Option(names = "--stats-catalog", paramLabel = "DIR", description = {"A catalog folder that gets each finished UTC day's probe",
      "statistics as dataset status-SITE, version YYYY.M.D of that day (the statistics are data too)."})
  Path statsCatalog;

  @Option(names = "--site", defaultValue = "local", paramLabel = "ID", description = "This probe site's id (default: ${DEFAULT-VALUE}).")
  String site;

  @Option(names = "--quorum", defaultValue = "1", paramLabel = "N", description = "Sites that must agree before a location is called down or corrupt (default: ${DEFAULT-VALUE}).")
  int quorum;

  @Option(names = "--peer", paramLabel = "URL", description = "Another monitor whose signed results count (repeatable).")
  List<URI> peers = new ArrayList<>();

  @Option(names = "--location", paramLabel = "ID=URL-PREFIX", description = "Names the location of hrefs under a prefix (repeatable).")
  Map<String, String> prefixes = new TreeMap<>();

  @Option(names = "--node", paramLabel = "ID=STATUS-URL", description = "A Smart Node and its status URL: its traffic totals, and its pieces probed over BitTorrent at that host (repeatable).")
  Map<String, String> nodes = new TreeMap<>();

  @Option(names = "--interval", defaultValue = "5m", paramLabel = "DURATION", description = "Time between rounds (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--pieces", defaultValue = "2", paramLabel = "N", description = "Pieces checked per location x item and round (default: ${DEFAULT-VALUE}).")
  int pieces;

  @Option(names = "--budget", defaultValue = "256M", paramLabel = "SIZE", description = "Bytes one location may be asked for per round (default: ${DEFAULT-VALUE}).")
  String budget;

  @Option(names = "--requests", defaultValue = "2000", paramLabel = "N", description = "Requests one location may get per round (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--reports-per-minute", defaultValue = "30", paramLabel = "N", description = "Reports one client address may send per minute (default: ${DEFAULT-VALUE}).")
  int reportsPerMinute;

  @Option(names = "--key", paramLabel = "FILE", description = "This site's Ed25519 key (default: DATA/monitor.key, created on first start).")
  Path key;

  @Option(names = "--allow-private-redirects", description = "Follow redirects from public mirrors to private addresses (never for a public service).")
  boolean allowPrivate;

  @Option(names = "--once", description = "Run one round, write status.json and stop.")
  boolean once;

  @Option(names = "--export-dashboard", paramLabel = "DIR", description = "After the round, write the dashboard as static files to DIR.")
  Path exportDashboard;

  @Override
  public Integer call() throws Exception {
    if (quorum < 1) throw new D4cException(ExitCode.BAD_INPUT, "--quorum must be at least 1");
    for (String id : prefixes.keySet()) {
      if (!id.equals(Location.sanitize(id))) throw new D4cException(ExitCode.BAD_INPUT, "--location " + id + ": ids are lowercase letters, digits, '.', '_' and '-'");
    }
    if (!site.equals(Location.sanitize(site))) throw new D4cException(ExitCode.BAD_INPUT, "--site " + site + ": ids are lowercase letters, digits, '.', '_' and '-'");
    String checkedUrl = null;
    if (publicUrl != null) {
      try {
        checkedUrl = org.d4c.catalog.status.StatusDocument.checkMonitorUrl(publicUrl);
      } catch (IllegalArgumentException e) {
        throw new D4cException(ExitCode.BAD_INPUT, "--public-url: " + e.getMessage());
      }
    }
    // The mirror file is read and its credentials found before any work, so a bad one costs nothing.
    StatusMirrors statusMirrors = mirrors == null ? null : StatusMirrors.load(mirrors, Credentials.fromEnvironment(), data.resolve("upload-state"));
    Path outDir = out;
    if (outDir == null) {
      try (CatalogSource src = CatalogSource.open(catalog)) {
        outDir = src.isRemote() ? data.resolve("public") : src.dir();
      }
    }
    Prober.Settings p = Prober.Settings.defaults();
    Prober.Settings settings = new Prober.Settings(pieces, p.wholeFileLimit(), org.d4c.core.io.Sizes.parse(budget), requests,
        p.slowBytesPerSecond(), p.slowLatency(), p.parallelLocations());
    AddressPolicy policy = allowPrivate ? (h, a) -> true : AddressPolicy.DEFAULT;
    MonitorConfig config = new MonitorConfig(catalog, site, quorum, peers, prefixes, nodes, data, outDir, publishDirs, interval,
        settings, policy, Clock.systemUTC(), key, reportsPerMinute).withPublicUrl(checkedUrl).withStatsCatalog(statsCatalog);
    if (statusMirrors != null) config = config.withMirrors(statusMirrors);
    try (Monitor m = new Monitor(config)) {
      m.loadCatalog();
      if (once) {
        m.runRound();
        System.out.println("Round " + m.round() + ": " + outDir.resolve("status.json"));
        if (exportDashboard != null) export(m, exportDashboard);
        return 0;
      }
      try (MonitorServer server = MonitorServer.start(listen, new MonitorApi(m))) {
        System.out.println("Monitor " + site + " at " + server.origin() + "/ (dashboard), " + server.origin() + "/v1/status, "
            + server.origin() + "/metrics; Ctrl-C stops");
        while (!Thread.currentThread().isInterrupted()) {
          try {
            m.loadCatalog();
            m.runRound();
            if (exportDashboard != null) export(m, exportDashboard);
          } catch (RuntimeException e) {
            System.err.println("d4c monitor: round failed: " + D4cException.messageOf(e) + " (next round in " + interval + ")");
          }
          Thread.sleep(interval.toMillis());
        }
      }
    }
    return 0;
  }

  /** The dashboard as static files: index.html, its assets, status.json and the probe history it charts. */
  static void export(Monitor m, Path dir) throws Exception {
    Files.createDirectories(dir.resolve("assets"));
    AtomicFiles.write(dir.resolve("index.html"), Dashboard.html(m, "assets/", "history.json").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (String a : List.of("dashboard.js", "dashboard.css", "vendor/dist/uPlot.iife.min.js", "vendor/dist/uPlot.min.css")) {
      try (var in = MonitorApi.class.getResourceAsStream(a)) {
        if (in != null) AtomicFiles.write(dir.resolve("assets").resolve(a.substring(a.lastIndexOf('/') + 1)), in.readAllBytes());
      }
    }
    AtomicFiles.write(dir.resolve("status.json"), org.d4c.core.json.CanonicalJson.toBytes(m.status()));
    var hist = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    var arr = hist.putArray("probes");
    for (var r : m.history().probeHistory(null, null, 2000)) {
      var o = arr.addObject();
      r.forEach((k, v) -> o.put(k, v instanceof java.sql.Timestamp ts ? org.d4c.catalog.CatalogParquet.formatInstant(ts.toInstant()) : v == null ? null : v.toString()));
      for (String num : List.of("latency_ms", "throughput_bps")) if (r.get(num) instanceof Number n) o.put(num, n.doubleValue());
    }
    AtomicFiles.write(dir.resolve("history.json"), org.d4c.core.json.CanonicalJson.toBytes(hist));
  }
}
