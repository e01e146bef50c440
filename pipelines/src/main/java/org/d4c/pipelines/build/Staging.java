package org.d4c.pipelines.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The staging folder a build writes into: a hidden sibling of the target, so the final move is a rename on the same
 * file system and readers see either the old build or the new one, never a mix.
 */
final class Staging {
  private Staging() {}

  static Path create(Path target) {
    try {
      Path parent = Files.createDirectories(target.getParent());
      if (Files.exists(target) && !Files.isDirectory(target)) {
        throw new BuildException(target + " exists and is not a folder; choose another --out");
      }
      return Files.createTempDirectory(parent, "." + target.getFileName() + ".building-");
    } catch (IOException e) {
      throw new BuildException("cannot create a staging folder beside " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Replaces {@code target} by {@code staging}. An existing target must be an earlier build (it has a
   * manifest.json) or empty; anything else is left alone.
   */
  static void moveIntoPlace(Path staging, Path target) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      boolean empty;
      try (Stream<Path> s = Files.list(target)) {
        empty = s.findAny().isEmpty();
      }
      if (!empty && !Files.exists(target.resolve("manifest.json"))) {
        throw new BuildException(target + " is not empty and holds no earlier build (no manifest.json);"
            + " choose an empty or new --out folder");
      }
      old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
      if (old != null) {
        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
      }
      throw e;
    }
    if (old != null) {
      delete(old);
    }
  }

  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
