package org.d4c.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.d4c.core.error.D4cException;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.net.HostPort;
import org.d4c.fetch.Fetch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Downloads a dataset version from its best sources at once, every piece verified.",
        "%nResolves ITEM through the catalog (an item id, a dataset for its latest release, DATASET@VERSION, or a DOI),"
            + " reads the catalog's status.json when it has one (locations found corrupt, down or under an incident are"
            + " left out; the others are ranked by expected throughput), then downloads from the best HTTP locations at"
            + " once in pieces checked against the torrent's hashes. A location that serves a wrong piece is banned; when"
            + " no HTTP location is left, BitTorrent takes over (the healthy mirrors as web seeds, plus --peer, else the"
            + " DHT and the torrent's trackers); when no location serves the .torrent itself, its metadata is asked from"
            + " the same peers by info-hash. Every"
            + " file is finally checked against the manifest's sha256 and the folder moved to TO/<dataset>-<version>."
            + " Interrupted? Run the same command again: verified pieces are kept in TO/.d4c-get.%n"},
    footer = {"", "Examples:", "  ./d4c get ca-provinces --catalog https://data.example.org/catalog/ --to data",
        "  ./d4c get ca-provinces@1.2.0 --catalog out/catalog --json",
        "  ./d4c get 10.5281/zenodo.1234567 --catalog s3://bucket/catalog/",
        "  ./d4c get ca-provinces-1.2.0 --catalog out/catalog --via torrent --peer 192.0.2.7:6881", "",
        "Exit codes: 0 every file verified, 1 some pieces could not be fetched (run it again: it resumes),",
        "2 bad command line, unknown dataset or unreadable catalog, 6 a file differs from the manifest."})
final class GetCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ITEM|DOI|DATASET[@VERSION]", description = "What to download.")
  String item;

  @Option(names = "--catalog", paramLabel = "URL", defaultValue = "${env:D4C_CATALOG}",
      description = "The catalog: a folder, or an http(s):// or s3:// URL (default: $D4C_CATALOG).")
  String catalog;

  @Option(names = "--to", paramLabel = "DIR", defaultValue = ".", description = "Where the dataset's folder goes (default: .).")
  Path to;

  @Option(names = "--via", paramLabel = "auto|http|torrent", defaultValue = "auto",
      description = "auto: HTTP locations, then BitTorrent when they fail; http: HTTP only; torrent: BitTorrent only.")
  String via;

  @Option(names = "--locations", paramLabel = "N", defaultValue = "3", description = "HTTP locations to use at once (default 3).")
  int locations;

  @Option(names = "--connections", paramLabel = "N", defaultValue = "2", description = "Connections to each location (default 2).")
  int connections;

  @Option(names = "--peer", paramLabel = "HOST:PORT", description = "A BitTorrent peer (a seeder) for the fallback; repeatable.")
  List<String> peers;

  @Option(names = "--max-wait", paramLabel = "SECONDS", defaultValue = "60",
      description = "The longest a busy location (HTTP 429/503) may ask to be left alone (Retry-After) before the download"
          + " moves on without it (default 60).")
  long maxWait;

  @Option(names = "--report", paramLabel = "URL", arity = "0..1", fallbackValue = "",
      description = "Report every location that serves a bad piece to the status monitor (POST /v1/reports, with the"
          + " evidence: item, file, byte range, hashes, timing): to URL, or without one to the monitor the catalog's"
          + " status.json names (monitor.url). Off by default.")
  String report;

  @Option(names = "--json", description = "Print a machine-readable summary on stdout (sources, bytes from each, verdicts).")
  boolean json;

  @Override
  public Integer call() {
    if (catalog == null || catalog.isBlank()) {
      System.err.println("d4c get: no catalog: pass --catalog URL or set D4C_CATALOG");
      return D4c.BAD_INPUT;
    }
    Fetch.Via v;
    try {
      v = Fetch.Via.valueOf(via.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      System.err.println("d4c get: --via must be auto, http or torrent, not " + via);
      return D4c.BAD_INPUT;
    }
    List<HostPort> ps = peers == null ? List.of() : peers.stream().map(HostPort::parse).toList();
    try {
      Fetch.Summary s = Fetch.of(catalog).item(item).to(to).via(v).locations(locations).connections(connections).peers(ps)
          .maxWait(java.time.Duration.ofSeconds(Math.max(0, maxWait))).report(report)
          .progress(ConsoleProgress.stderr()).call();
      if (s.status() != null && s.status().contains(" ignored")) System.err.println("d4c get: warning: " + s.status());
      if (json) {
        System.out.print(CanonicalJson.toString(s.toJson()));
      } else {
        System.out.println("Got " + s.item() + " into " + s.folder() + ": " + s.pieces() + " pieces verified, " + s.filesVerified()
            + " files match the manifest" + (s.piecesResumed() > 0 ? " (" + s.piecesResumed() + " pieces kept from before)" : ""));
        for (Fetch.SourceReport r : s.sources()) {
          System.out.println("  " + r.id() + " (" + r.kind() + "): " + org.d4c.core.io.Sizes.format(r.bytes()) + ", " + r.verdict());
        }
        for (Fetch.SourceReport r : s.excluded()) System.out.println("  " + r.id() + ": " + r.verdict());
        for (Fetch.ReportSent r : s.reports()) {
          System.out.println("  reported " + r.location() + " (piece " + r.piece() + "): " + (r.id() != null ? "report " + r.id() : r.error()));
        }
      }
      return 0;
    } catch (D4cException e) {
      System.err.println("d4c get: " + e.getMessage());
      return e.exitCode().code();
    }
  }
}
