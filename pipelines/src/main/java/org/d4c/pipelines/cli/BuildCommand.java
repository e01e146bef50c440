package org.d4c.pipelines.cli;
import org.d4c.cli.ConsoleProgress;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.pipelines.build.BuildDataset;
import org.d4c.pipelines.build.BuildResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "build", mixinStandardHelpOptions = true,
    description = {"Builds one dataset version from its recipe into a folder.",
        "%nThe folder gets the GeoParquet files, rejects.jsonl when records were rejected, manifest.json (the lock"
            + " that `d4c reproduce` checks) and run.json (times, host, runner: not part of the lock). Sources are"
            + " fetched into the cache and verified by sha256 first (`d4c lock` records them). Nothing is written"
            + " unless the whole build succeeds.%n"},
    footer = {"", "Examples:",
        "  ./d4c build pipelines/recipes/ca-provinces/recipe.yaml --out out/ca-provinces",
        "  ./d4c build recipe.yaml --out out/x --parallelism 4",
        "  ./d4c build recipe.yaml --out out/x --runner flink                 # embedded Flink mini-cluster",
        "  ./d4c build recipe.yaml --out /shared/out/x --runner flink --flink-master jobmanager:8081 \\",
        "    --job-jar \"$(./d4c jobjar)\""})
final class BuildCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RECIPE", description = "The recipe (YAML).")
  Path recipe;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to build into.")
  Path out;

  @Mixin
  RunnerOptions runner;

  @Override
  public Integer call() {
    java.util.function.Supplier<org.d4c.pipelines.build.BuildOptions> options = runner.toBeamInBackground();
    Recipe r = Recipes.load(recipe);
    System.err.println("Building " + r.dataset() + " " + r.version() + " with the " + runner.runner + " runner");
    BuildResult result = BuildDataset.run(r, out, options, runner.featuresPerSplit, runner.sourceCache(),
        ConsoleProgress.stderr());
    System.out.println(result.summary());
    return 0;
  }
}
