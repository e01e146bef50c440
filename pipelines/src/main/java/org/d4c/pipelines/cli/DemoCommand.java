package org.d4c.pipelines.cli;
import org.d4c.cli.SourceBundles;
import org.d4c.core.error.ExitCode;
import org.d4c.cli.CatalogCommand;
import org.d4c.cli.D4c;
import org.d4c.cli.ConsoleProgress;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.pipelines.build.BuildDataset;
import org.d4c.pipelines.build.BuildResult;
import org.d4c.pipelines.reproduce.ReproduceBuild;
import org.d4c.catalog.Catalog;
import org.d4c.catalog.CatalogSearch;
import org.d4c.catalog.ItemFactory;
import org.d4c.catalog.SearchQuery;
import org.d4c.core.hash.Hashing;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.FolderServer;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.publish.Mirrors;
import org.d4c.publisher.publish.Publish;
import org.d4c.publisher.torrent.WebSeedFetch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Builds the dataset shipped in the repository, reproduces it, catalogs it, publishes it and fetches it back.",
        "%nThe demo dataset is Canada's provinces and territories (Natural Earth, public domain). It is built into"
            + " GeoParquet with its manifest, rebuilt from the manifest alone and the bytes compared, then added to a"
            + " local STAC catalog (stac-geoparquet plus static STAC JSON) that is searched once. Then it is published"
            + " to an embedded mirror (a local folder served over HTTP on 127.0.0.1 by d4c itself) with its source"
            + " bundle and a torrent whose web seed is that mirror, and downloaded again through the torrent alone"
            + " (a libtorrent session, web seed only) and checked against the manifest. Needs no external server"
            + " and no credentials.%n"},
    footer = {"", "Examples:", "  ./d4c demo", "  ./d4c demo --out /tmp/demo --runner flink",
        "  ./d4c demo --catalog /tmp/catalog"})
final class DemoCommand implements Callable<Integer> {
  static final String RECIPE = "pipelines/recipes/ca-provinces/recipe.yaml";

  @Option(names = "--out", defaultValue = "out/ca-provinces", paramLabel = "DIR",
      description = "Where to build (default: ${DEFAULT-VALUE} under the current folder).")
  Path out;

  @Option(names = "--catalog", paramLabel = "CAT",
      description = "The catalog to add the build to (default: a folder named catalog beside --out).")
  Path catalog;

  @Option(names = "--mirror-port", defaultValue = "8750", paramLabel = "PORT",
      description = "The loopback port of the embedded mirror; it is written into the torrent (default: ${DEFAULT-VALUE}).")
  int mirrorPort;

  @Mixin
  RunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    Recipe recipe = Recipes.load(D4c.home().resolve(RECIPE));
    System.err.println("[1/5] Building " + recipe.dataset() + " " + recipe.version() + " (" + RECIPE + ")");
    BuildResult built = BuildDataset.run(recipe, out, runner.toBeam(), runner.sourceCache(), ConsoleProgress.stderr());
    System.out.println(built.summary());
    System.err.println("[2/5] Reproducing it from " + built.manifestFile() + " alone");
    ReproduceBuild.Report report = ReproduceBuild.run(built.manifestFile(), null, D4c.home(), runner.toBeam(),
        runner.sourceCache(), ConsoleProgress.stderr());
    System.out.println(report.text());

    Path cat = catalog != null ? catalog : built.folder().toAbsolutePath().normalize().resolveSibling("catalog");
    System.err.println("[3/5] Adding it to the catalog " + cat);
    // replace: a rebuild from another code commit has a new manifest; in the demo's own catalog it simply replaces.
    Catalog.AddResult added = Catalog.at(cat).add(built.folder(), ItemFactory.Options.DEFAULTS, true);
    System.out.println(added.summary());
    System.out.println("  item: " + added.itemFile());
    double[] b = around(added.item());
    String bbox = b[0] + "," + b[1] + "," + b[2] + "," + b[3];
    System.out.println("Search: ./d4c catalog search --catalog " + cat + " --bbox " + bbox + " --q provinces");
    try (CatalogSearch search = CatalogSearch.open(Catalog.at(cat).parquetFile())) {
      System.out.print(CatalogCommand.table(search.search(SearchQuery.parse(bbox, null, List.of(), "provinces", 10))));
    }
    boolean fetched = publishAndFetch(built.folder().toAbsolutePath().normalize(), cat);
    System.out.println();
    System.out.println("Next: read it with any GeoParquet reader, e.g. in DuckDB:");
    System.out.println("  SELECT name, code FROM '" + built.folder().resolve("provinces.parquet") + "';");
    System.out.println("  SELECT id, datetime, assets.provinces.href FROM '" + Catalog.at(cat).parquetFile() + "';");
    if (!report.reproduced()) return ExitCode.NOT_REPRODUCED.code();
    return fetched ? 0 : ExitCode.FAILED.code();
  }

  /**
   * Publishes the build to a {@code type: local} mirror beside it, served on loopback, then downloads it back through
   * the torrent's web seed and compares every file with the manifest.
   */
  private boolean publishAndFetch(Path build, Path cat) throws Exception {
    Path mirrorDir = java.nio.file.Files.createDirectories(build.resolveSibling("mirror"));
    String base = "http://127.0.0.1:" + mirrorPort + "/";
    MirrorFile.Config local = new MirrorFile.Local("demo", mirrorDir, base, true);
    System.err.println("[4/5] Publishing it to the embedded mirror " + mirrorDir + ", served at " + base);
    FolderServer server;
    try {
      server = FolderServer.start(mirrorDir, "127.0.0.1", mirrorPort, "/");
    } catch (java.net.BindException e) {
      throw new IllegalStateException("port " + mirrorPort + " on 127.0.0.1 is taken: pass --mirror-port with a free one");
    }
    try (server) {
      Publish publish = new Publish(c -> Mirrors.open(c, Credentials.of(java.util.Map.of()), build.resolve(Publish.WORK_DIR)),
          SourceBundles::make, System.out, ConsoleProgress.stderr());
      // A demo run from a checkout with uncommitted changes still publishes to its own folder (without a bundle);
      // `d4c publish` refuses such a build.
      Publish.Result r = publish.run(new Publish.Options(build, List.of(local), List.of(local), cat, false, false, true));
      if (!r.ok()) return false;
      System.out.println("  magnet: " + r.torrent().magnetUri());

      System.err.println("[5/5] Fetching it back through the torrent's web seed only");
      Path down = java.nio.file.Files.createTempDirectory(build.getParent(), ".fetch-");
      try {
        Path got = WebSeedFetch.download(r.torrent().file(), down, java.time.Duration.ofSeconds(120), ConsoleProgress.stderr());
        int ok = 0;
        for (var f : r.release().files()) {
          if (f.name().endsWith(".torrent")) continue;
          String sha = Hashing.sha256(got.resolve(f.name()));
          if (!sha.equals(f.sha256())) {
            System.out.println("  DIFFERENT " + f.name() + ": sha256 " + sha + ", the release says " + f.sha256());
            return false;
          }
          ok++;
        }
        System.out.println("Fetched " + ok + " files through the web seed " + base + "; every sha256 matches the manifest"
            + " (" + server.requests().stream().filter(q -> q.contains("bytes=")).count() + " range requests served).");
        return true;
      } finally {
        org.d4c.core.io.Folders.deleteTree(down);
      }
    }
  }


  /** A 2-degree box around the centre of the item's bbox, so the demo shows a spatial hit. */
  private static double[] around(com.fasterxml.jackson.databind.JsonNode item) {
    var bb = item.path("bbox");
    double cx = Math.round((bb.get(0).asDouble() + bb.get(2).asDouble()) / 2);
    double cy = Math.round((bb.get(1).asDouble() + bb.get(3).asDouble()) / 2);
    return new double[] {cx - 1, cy - 1, cx + 1, cy + 1};
  }
}
