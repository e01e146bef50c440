package org.d4c.pipelines.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.pipelines.build.BuildDataset;
import org.d4c.pipelines.build.BuildResult;
import org.d4c.pipelines.reproduce.ReproduceBuild;
import org.d4c.publisher.catalog.Catalog;
import org.d4c.publisher.catalog.CatalogSearch;
import org.d4c.publisher.catalog.ItemFactory;
import org.d4c.publisher.catalog.SearchQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Builds the dataset shipped in the repository, reproduces it and catalogs it.",
        "%nThe demo dataset is Canada's provinces and territories (Natural Earth, public domain). It is built into"
            + " GeoParquet with its manifest, rebuilt from the manifest alone and the bytes compared, then added to a"
            + " local STAC catalog (stac-geoparquet plus static STAC JSON) that is searched once. Needs no server and"
            + " no credentials.%n"},
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

  @Mixin
  RunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    Recipe recipe = Recipes.load(D4c.home().resolve(RECIPE));
    System.err.println("[1/3] Building " + recipe.dataset() + " " + recipe.version() + " (" + RECIPE + ")");
    BuildResult built = BuildDataset.run(recipe, out, runner.toBeam(), runner.sourceCache(), ConsoleProgress.stderr());
    System.out.println(built.summary());
    System.err.println("[2/3] Reproducing it from " + built.manifestFile() + " alone");
    ReproduceBuild.Report report = ReproduceBuild.run(built.manifestFile(), null, D4c.home(), runner.toBeam(),
        runner.sourceCache(), ConsoleProgress.stderr());
    System.out.println(report.text());

    Path cat = catalog != null ? catalog : built.folder().toAbsolutePath().normalize().resolveSibling("catalog");
    System.err.println("[3/3] Adding it to the catalog " + cat);
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
    System.out.println();
    System.out.println("Next: read it with any GeoParquet reader, e.g. in DuckDB:");
    System.out.println("  SELECT name, code FROM '" + built.folder().resolve("provinces.parquet") + "';");
    System.out.println("  SELECT id, datetime, assets.provinces.href FROM '" + Catalog.at(cat).parquetFile() + "';");
    return report.reproduced() ? 0 : D4c.NOT_REPRODUCED;
  }

  /** A 2-degree box around the centre of the item's bbox, so the demo shows a spatial hit. */
  private static double[] around(com.fasterxml.jackson.databind.JsonNode item) {
    var bb = item.path("bbox");
    double cx = Math.round((bb.get(0).asDouble() + bb.get(2).asDouble()) / 2);
    double cy = Math.round((bb.get(1).asDouble() + bb.get(3).asDouble()) / 2);
    return new double[] {cx - 1, cy - 1, cx + 1, cy + 1};
  }
}
