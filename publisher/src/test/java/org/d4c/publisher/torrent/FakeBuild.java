package org.d4c.publisher.torrent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;

/**
 * A fake build folder for the torrent tests: output files of seeded random bytes (the torrent does not read them as
 * Parquet) and a real {@code manifest.json} written by {@link Manifests#write}, the shape {@code d4c build} leaves.
 */
final class FakeBuild {
  private FakeBuild() {}

  /** Writes {@code dir} with one output per entry of {@code files} (relative path -> size) and returns it. */
  static Path write(Path dir, String dataset, String version, Map<String, Integer> files, long seed) {
    try {
      Random random = new Random(seed);
      for (Map.Entry<String, Integer> e : new TreeMap<>(files).entrySet()) {
        Path f = dir.resolve(e.getKey());
        Files.createDirectories(f.getParent());
        byte[] bytes = new byte[e.getValue()];
        random.nextBytes(bytes);
        Files.write(f, bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lock(dir, dataset, version, files.keySet());
  }

  /** Writes the manifest of the files already in {@code dir} (relative paths) and returns {@code dir}. */
  static Path lock(Path dir, String dataset, String version, java.util.Collection<String> paths) {
    List<Manifest.OutputFile> outputs = new ArrayList<>();
    StringBuilder outs = new StringBuilder();
    int n = 0;
    for (String path : new java.util.TreeSet<>(paths)) {
      outputs.add(Manifest.OutputFile.of(dir, dir.resolve(path), 10 + n, Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA));
      outs.append("  - name: out").append(n++).append("\n    source: src\n");
    }
    String yaml = "dataset: " + dataset + "\nversion: " + version + "\ntitle: Test " + dataset + "\n"
        + "description: Random bytes for the torrent tests.\nlicense: CC-BY-4.0\ncrs: OGC:CRS84\ndatetime: 2023-02-03\n"
        + "keywords: [test]\nproviders:\n  - name: d4c tests\n    roles: [producer]\n"
        + "sources:\n  - id: src\n    urls: [data/src.gpkg]\n    sha256: " + "ab".repeat(32) + "\n    size: 1234\n"
        + "outputs:\n" + outs;
    Recipe recipe = Recipes.parse(yaml, dir.resolve("recipe.yaml"));
    Manifest m = Manifest.of(recipe, "recipes/" + dataset + "/recipe.yaml",
        new CodeVersion("0123456789abcdef0123456789abcdef01234567", false, null),
        new Manifest.Environment(Map.of(), Map.of("d4c", "0.1.0-test", "java", "17")), Map.of("crs", "OGC:CRS84"),
        outputs, Manifest.Rejects.NONE);
    Manifests.write(dir, m);
    return dir;
  }
}
