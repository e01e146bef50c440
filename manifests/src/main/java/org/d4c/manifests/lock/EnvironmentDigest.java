package org.d4c.manifests.lock;
import org.d4c.core.hash.Hashing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Digests of the files that define the build environment (environments/: install scripts, lock files). */
public final class EnvironmentDigest {
  private EnvironmentDigest() {}

  /**
   * sha256 of every regular file under {@code environmentsDir} (symbolic links are not followed), keyed by
   * its path relative to {@code repoRoot} with '/' separators, sorted. A missing folder gives an empty map.
   * When the folder is not under {@code repoRoot} (or it is null), keys are relative to the folder's parent.
   */
  public static SortedMap<String, String> of(Path environmentsDir, Path repoRoot) {
    TreeMap<String, String> out = new TreeMap<>();
    Path dir = environmentsDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) return Collections.unmodifiableSortedMap(out);
    Path base = repoRoot != null && dir.startsWith(repoRoot.toAbsolutePath().normalize())
        ? repoRoot.toAbsolutePath().normalize() : dir.getParent();
    try (Stream<Path> files = Files.walk(dir)) {
      files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .forEach(p -> out.put(Manifests.slashPath(base.relativize(p)), Hashing.sha256(p)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Collections.unmodifiableSortedMap(out);
  }
}
