package org.d4c.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Writes whole files so that readers see either the old or the new content, never a partial one: a temp file beside
 * the target ({@code .NAME.<uuid>.tmp}), flushed to disk, then renamed over it. The mode is set explicitly: files
 * others will serve (releases, torrents, catalogs) get {@link #PUBLIC} 0644, whatever the umask; caches and state get
 * {@link #PRIVATE} 0600. Not {@code Files.createTempFile}: its 0600 would stick to a published file.
 */
public final class AtomicFiles {
  public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
  public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");

  /** Fills the temp file; throwing aborts the write and leaves the target as it was. */
  @FunctionalInterface
  public interface Filler {
    void fill(Path tmp) throws IOException;
  }

  private AtomicFiles() {}

  /** Writes {@code bytes} with mode {@link #PUBLIC}. */
  public static void write(Path file, byte[] bytes) {
    write(file, bytes, PUBLIC);
  }

  public static void write(Path file, byte[] bytes, Set<PosixFilePermission> mode) {
    try {
      replace(file, mode, tmp -> {
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
          out.write(bytes);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes what {@code in} holds (to its end) with mode {@link #PUBLIC}. */
  public static void write(Path file, InputStream in) throws IOException {
    replace(file, PUBLIC, tmp -> {
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
        in.transferTo(out);
      }
    });
  }

  /**
   * The general form: creates an empty temp file beside {@code file} with {@code mode}, lets {@code filler} write it
   * (and check it), syncs it and renames it over {@code file}. The temp file is gone afterwards in every case.
   */
  public static void replace(Path file, Set<PosixFilePermission> mode, Filler filler) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      if (posix && mode.contains(PosixFilePermission.OTHERS_READ)) {
        createPublicDirectories(dir);
      } else {
        Files.createDirectories(dir);
      }
      Files.createFile(tmp);
      if (posix) Files.setPosixFilePermissions(tmp, mode);
      filler.fill(tmp);
      // again: a filler that replaced the temp file (Files.copy) brought the source's mode with it
      if (posix) Files.setPosixFilePermissions(tmp, mode);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: the move already happened or the write failed first
      }
    }
  }

  /** Folders a web server serves: 0755 whatever the umask. */
  public static final Set<PosixFilePermission> PUBLIC_FOLDER = PosixFilePermissions.fromString("rwxr-xr-x");

  /**
   * Creates {@code dir} and the missing folders above it with mode 0755 whatever the umask (a published file in a
   * 0700 folder cannot be served); folders that exist keep their mode.
   */
  public static void createPublicDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    java.util.Deque<Path> missing = new java.util.ArrayDeque<>();
    for (Path p = abs; p != null && !Files.isDirectory(p); p = p.getParent()) missing.push(p);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    for (Path p : missing) {
      try {
        Files.createDirectory(p);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) throw e;
        continue; // made meanwhile by another writer
      }
      if (posix) Files.setPosixFilePermissions(p, PUBLIC_FOLDER);
    }
  }

  /** True for the temp files {@link #replace} leaves behind when killed ({@code .NAME.<uuid>.tmp}). */
  public static boolean isLeftover(Path p) {
    String n = p.getFileName().toString();
    return n.startsWith(".") && n.matches("\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");
  }
}
