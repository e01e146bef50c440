package org.d4c.pipelines.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.pipelines.build.BuildDataset;
import org.d4c.pipelines.build.BuildResult;
import org.d4c.pipelines.reproduce.ReproduceBuild;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Builds the dataset shipped in the repository and reproduces it from its manifest.",
        "%nThe demo dataset is Canada's provinces and territories (Natural Earth, public domain). It is built into"
            + " GeoParquet with its manifest, then rebuilt from the manifest alone and the bytes compared. Needs no"
            + " server and no credentials.%n"},
    footer = {"", "Examples:", "  ./d4c demo", "  ./d4c demo --out /tmp/demo --runner flink"})
final class DemoCommand implements Callable<Integer> {
  static final String RECIPE = "pipelines/recipes/ca-provinces/recipe.yaml";

  @Option(names = "--out", defaultValue = "out/ca-provinces", paramLabel = "DIR",
      description = "Where to build (default: ${DEFAULT-VALUE} under the current folder).")
  Path out;

  @Mixin
  RunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    Recipe recipe = Recipes.load(D4c.home().resolve(RECIPE));
    System.err.println("[1/2] Building " + recipe.dataset() + " " + recipe.version() + " (" + RECIPE + ")");
    BuildResult built = BuildDataset.run(recipe, out, runner.toBeam(), runner.sourceCache(), ConsoleProgress.stderr());
    System.out.println(built.summary());
    System.err.println("[2/2] Reproducing it from " + built.manifestFile() + " alone");
    ReproduceBuild.Report report = ReproduceBuild.run(built.manifestFile(), null, D4c.home(), runner.toBeam(),
        runner.sourceCache(), ConsoleProgress.stderr());
    System.out.println(report.text());
    System.out.println();
    System.out.println("Next: read it with any GeoParquet reader, e.g. in DuckDB:");
    System.out.println("  SELECT name, code FROM '" + built.folder().resolve("provinces.parquet") + "';");
    return report.reproduced() ? 0 : D4c.NOT_REPRODUCED;
  }
}
