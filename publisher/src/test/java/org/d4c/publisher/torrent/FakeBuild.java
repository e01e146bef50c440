package org.d4c.publisher.torrent;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.d4c.testing.TestBuilds;

/**
 * A fake build folder for the torrent tests: output files of seeded random bytes (the torrent does not read them as
 * Parquet) and a real {@code manifest.json}, written by the shared {@link TestBuilds}.
 */
final class FakeBuild {
  private FakeBuild() {}

  /** Writes {@code dir} with one output per entry of {@code files} (relative path -> size) and returns it. */
  static Path write(Path dir, String dataset, String version, Map<String, Integer> files, long seed) {
    TestBuilds.randomFiles(dir, files, seed);
    return lock(dir, dataset, version, files.keySet());
  }

  /** Writes the manifest of the files already in {@code dir} (relative paths) and returns {@code dir}. */
  static Path lock(Path dir, String dataset, String version, Collection<String> paths) {
    TestBuilds.lock(dir, TestBuilds.recipeHead(dataset, version, "Test " + dataset, "Random bytes for the torrent tests."), paths,
        Map.of("crs", "OGC:CRS84"), null);
    return dir;
  }
}
