package org.d4c.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.d4c.manifests.lock.RecipeLocker;
import org.d4c.manifests.sources.SourceCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "lock", mixinStandardHelpOptions = true,
    description = {"Fetches every source of a recipe and writes its sha256 and size into the recipe.",
        "%nComments and layout of the recipe are kept. The fetched files stay in the cache for the build.%n"},
    footer = {"", "Examples:", "  ./d4c lock pipelines/recipes/ca-provinces/recipe.yaml",
        "  ./d4c lock my-recipe.yaml --cache /data/d4c-cache"})
final class LockCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RECIPE", description = "The recipe (YAML) to lock.")
  Path recipe;

  @Option(names = "--cache", paramLabel = "DIR", description = "Source cache folder (default ~/.cache/d4c/sources).")
  Path cache;

  @Override
  public Integer call() {
    SourceCache c = cache == null ? SourceCache.atDefaultRoot() : new SourceCache(cache);
    var changes = RecipeLocker.lock(recipe, c, ConsoleProgress.stderr());
    for (RecipeLocker.Change ch : changes) {
      System.out.println("  " + ch.sourceId() + ": sha256 " + ch.sha256() + ", " + ch.size() + " bytes"
          + (ch.oldSha256() == null ? " (new)" : ch.oldSha256().equals(ch.sha256()) ? " (unchanged)" : " (was "
          + ch.oldSha256() + ")"));
    }
    System.out.println("Locked " + recipe);
    return 0;
  }
}
