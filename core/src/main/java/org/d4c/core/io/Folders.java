package org.d4c.core.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Folder helpers: deleting a tree without following symbolic links out of it, private folders. */
public final class Folders {
  /** 0700: caches and state that hold copies of what the user may have kept private. */
  public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

  private Folders() {}

  /** Deletes {@code dir} and everything under it; a symbolic link is removed, never followed. Missing: nothing to do. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) throw e;
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** {@link #deleteTree}, ignoring failures (temporary folders, where a leftover is harmless). */
  public static boolean deleteQuietly(Path dir) {
    try {
      deleteTree(dir);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Creates {@code dir} (and parents) and makes {@code dir} itself 0700. */
  public static Path createPrivate(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(dir, PRIVATE);
    }
    return dir;
  }
}
