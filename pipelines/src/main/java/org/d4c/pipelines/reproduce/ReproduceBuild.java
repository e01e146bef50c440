package org.d4c.pipelines.reproduce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.d4c.core.json.CanonicalJson;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.lock.OutputCheck;
import org.d4c.core.progress.Progress;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.manifests.sources.SourceCache;
import org.d4c.pipelines.build.BuildDataset;
import org.d4c.pipelines.build.BuildOptions;
import org.d4c.pipelines.build.BuildResult;

/**
 * {@code d4c reproduce}: rebuilds a dataset version from its manifest alone (the recipe is inside it, the sources
 * are fetched by hash) and compares every output with the bytes the manifest records.
 */
public final class ReproduceBuild {
  private ReproduceBuild() {}

  /** What a reproduction found. {@code notes} say what differs besides outputs (code, environment). */
  public record Report(List<OutputCheck.Result> outputs, List<String> notes, boolean manifestIdentical, Path rebuilt) {
    public boolean reproduced() {
      return !outputs.isEmpty() && OutputCheck.allOk(outputs);
    }

    public String text() {
      StringBuilder s = new StringBuilder();
      notes.forEach(n -> s.append("  note: ").append(n).append('\n'));
      outputs.forEach(r -> s.append(r.ok() ? "  ok        " : "  DIFFERS   ").append(r).append('\n'));
      s.append(reproduced()
          ? "Reproduced: every output is bit-identical to the manifest" + (manifestIdentical
              ? ", and so is the manifest itself." : " (the manifest itself differs only as the notes say).")
          : "NOT reproduced: " + outputs.stream().filter(r -> !r.ok()).count() + " of " + outputs.size()
              + " outputs differ (listed above).");
      return s.toString();
    }
  }

  /**
   * @param out where to rebuild; null for a temporary folder that is removed afterwards
   * @param home the d4c code the rebuild runs with (its commit is compared with the manifest's)
   */
  public static Report run(Path manifestFile, Path out, Path home, BuildOptions options, SourceCache cache,
      Progress progress) throws IOException {
    Manifest expected = Manifests.read(manifestFile);
    Path recipeFile = home.resolve(expected.recipePath());
    Recipe recipe = Recipes.parse(CanonicalJson.toString(expected.recipe()), recipeFile);
    List<String> notes = new ArrayList<>(differences(expected, home));

    Path target = out;
    Path temp = null;
    if (target == null) {
      temp = Files.createTempDirectory("d4c-reproduce-");
      target = temp.resolve(expected.dataset());
    }
    try {
      BuildResult rebuilt = BuildDataset.run(recipe, target, options, cache, progress);
      List<OutputCheck.Result> results = OutputCheck.compare(expected, rebuilt.folder());
      List<String> extra = new ArrayList<>();
      for (Manifest.OutputFile o : rebuilt.manifest().outputs()) {
        if (expected.outputs().stream().noneMatch(e -> e.path().equals(o.path()))) {
          extra.add(o.path());
        }
      }
      if (!extra.isEmpty()) {
        notes.add("the rebuild made files the manifest does not list: " + extra);
      }
      boolean same = Arrays.equals(Files.readAllBytes(manifestFile), Files.readAllBytes(rebuilt.manifestFile()));
      List<OutputCheck.Result> all = new ArrayList<>(results);
      return new Report(all, notes, same && extra.isEmpty(), out == null ? null : rebuilt.folder());
    } finally {
      if (temp != null) {
        org.d4c.core.io.Folders.deleteTree(temp);
      }
    }
  }

  /** Code and environment differences between the manifest and this machine, in plain words. */
  static List<String> differences(Manifest expected, Path home) {
    List<String> notes = new ArrayList<>();
    CodeVersion then = expected.resolvedDependencies().code();
    CodeVersion now = CodeVersion.detect(home);
    if (!Objects.equals(then.commit(), now.commit())) {
      notes.add("the manifest was built by code commit " + then.commit() + ", this is " + now.commit()
          + "; outputs may differ where the code changed (check out " + then.commit() + " to rebuild exactly)");
    }
    if (then.dirty()) {
      notes.add("the manifest was built from uncommitted code changes, which cannot be recovered exactly");
    }
    if (now.dirty() && !then.dirty()) {
      notes.add("this checkout has uncommitted changes");
    }
    Manifest.Environment env = expected.resolvedDependencies().environment();
    Map<String, String> software = org.d4c.pipelines.build.Versions.software();
    for (String name : new TreeSet<>(env.software().keySet())) {
      if (!Objects.equals(env.software().get(name), software.get(name))) {
        notes.add("environment differs: " + name + " was " + env.software().get(name) + ", here "
            + software.get(name));
      }
    }
    var definitions = org.d4c.manifests.lock.EnvironmentDigest.of(home.resolve("environments"),
        CodeVersion.repoRoot(home).orElse(home));
    for (String file : new TreeSet<>(env.definitions().keySet())) {
      if (!Objects.equals(env.definitions().get(file), definitions.get(file))) {
        notes.add("environment definition " + file + " differs from the one the manifest records");
      }
    }
    return notes;
  }

}
