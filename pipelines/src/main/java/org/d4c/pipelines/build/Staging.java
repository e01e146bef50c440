package org.d4c.pipelines.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The staging folder a build writes into: a hidden sibling of the target, so the final move is a rename on the same
 * file system and readers see either the old build or the new one, never a mix. Over an earlier build the swap is one
 * system call, {@code renameat2(RENAME_EXCHANGE)}: {@code --out} holds a complete build at every instant, and the old
 * one ends under the staging name, deleted next. Where the kernel or file system lacks it, the swap is two renames
 * (old build aside to {@code .NAME.old-PID}, new one into place), and a kill between them leaves no {@code --out}.
 * {@link #recover}, run before every build, finishes or rolls back what a dead process left: it puts the old build
 * back when {@code --out} is missing, deletes it when the new one is in place, deletes dead processes' staging
 * folders (a killed build's, or an old build a kill left after the exchange), and says what it did.
 */
final class Staging {
  private Staging() {}

  /**
   * Creates the staging folder beside {@code target}, and the missing folders above it. Returns the staging folder;
   * {@link #firstCreated} tells which ancestor was created, so a failed build can remove it again.
   */
  static Path create(Path target) {
    for (String note : recover(target)) System.err.println("d4c: " + note);
    try {
      if (Files.exists(target) && !Files.isDirectory(target)) {
        throw new BuildException(target + " exists and is not a folder; choose another --out");
      }
      Files.createDirectories(target.getParent());
      // Not createTempDirectory: its 0700 would become the permissions of the published build folder.
      for (int attempt = 0; ; attempt++) {
        Path staging = target.resolveSibling("." + target.getFileName() + ".building-" + ProcessHandle.current().pid()
            + "-" + Long.toUnsignedString(System.nanoTime(), 36) + attempt);
        try {
          return Files.createDirectory(staging);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          if (attempt > 10) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw new BuildException("cannot create a staging folder beside " + target + ": " + e.getMessage(), e);
    }
  }

  private static final java.util.regex.Pattern LEFTOVER = java.util.regex.Pattern.compile("\\.(.+)\\.(old|building)-(\\d+)(?:-.*)?");

  /** Repairs what a killed build left beside {@code target}; returns one sentence per repair. */
  static java.util.List<String> recover(Path target) {
    java.util.List<String> notes = new java.util.ArrayList<>();
    Path parent = target.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) return notes;
    String name = target.getFileName().toString();
    java.util.List<Path> leftovers;
    try (Stream<Path> s = Files.list(parent)) {
      leftovers = s.filter(p -> {
        java.util.regex.Matcher m = LEFTOVER.matcher(p.getFileName().toString());
        return m.matches() && m.group(1).equals(name) && !alive(Long.parseLong(m.group(3)));
      }).sorted().toList();
    } catch (IOException e) {
      return notes;
    }
    for (Path p : leftovers) {
      java.util.regex.Matcher m = LEFTOVER.matcher(p.getFileName().toString());
      m.matches();
      try {
        if (m.group(2).equals("old") && !Files.exists(target)) {
          Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
          notes.add("a build killed while replacing " + target + " left it missing; the previous build is back in place");
        } else if (m.group(2).equals("old")) {
          org.d4c.core.io.Folders.deleteTree(p);
          notes.add("removed the previous build of " + target + " that a killed build left aside (" + p.getFileName() + ")");
        } else {
          org.d4c.core.io.Folders.deleteTree(p);
          notes.add("removed " + p.getFileName() + ", the staging folder of a killed build of " + target);
        }
      } catch (IOException e) {
        notes.add("cannot clean up " + p + " left by a killed build: " + e.getMessage());
      }
    }
    return notes;
  }

  private static boolean alive(long pid) {
    return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The highest ancestor of {@code target} that does not exist yet (null when the parent exists). */
  static Path firstMissingAncestor(Path target) {
    Path missing = null;
    for (Path p = target.getParent(); p != null && !Files.exists(p); p = p.getParent()) {
      missing = p;
    }
    return missing;
  }

  /** Removes {@code created} and the empty folders under it on the way to {@code target}. */
  static void removeCreatedParents(Path created, Path target) {
    if (created == null) {
      return;
    }
    for (Path p = target.getParent(); p != null && p.startsWith(created); p = p.getParent()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        return; // not empty: something else lives there now
      }
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
      if (Exchange.swap(staging, target)) {
        delete(staging); // now the old build; a kill while deleting leaves it for recover()
        return;
      }
      old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
      Exchange.rename(target, old);
    }
    try {
      Exchange.rename(staging, target);
    } catch (IOException e) {
      if (old != null) {
        Exchange.rename(old, target);
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

  /** {@code renameat2(RENAME_EXCHANGE)}, and plain renames, through JNA (Linux 3.15+, glibc 2.28+; not on every file system). */
  static final class Exchange {
    private static final int AT_FDCWD = -100;
    private static final int RENAME_EXCHANGE = 2;
    private static volatile Boolean unavailable;
    private static volatile boolean noExchange;

    interface LibC extends com.sun.jna.Library {
      int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags)
          throws com.sun.jna.LastErrorException;
    }

    private static LibC libc;

    /**
     * A rename; through renameat2 when it is there, so a test can single out the swap's renames from every other
     * rename of the JVM ({@code strace -e inject=renameat2:...}).
     */
    static void rename(Path from, Path to) throws IOException {
      if (load() != null) {
        try {
          libc.renameat2(AT_FDCWD, from.toAbsolutePath().toString(), AT_FDCWD, to.toAbsolutePath().toString(), 0);
          return;
        } catch (com.sun.jna.LastErrorException e) {
          if (e.getErrorCode() != 38 /* ENOSYS */) {
            throw new IOException("cannot rename " + from + " to " + to + ": " + e.getMessage(), e);
          }
        }
      }
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    private static synchronized LibC load() {
      if (libc == null && !Boolean.TRUE.equals(unavailable)) {
        try {
          libc = com.sun.jna.Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) { // not Linux/glibc
          unavailable = true;
        }
      }
      return libc;
    }

    /**
     * Swaps two paths atomically; false when this system cannot (then nothing changed) or when the two-rename swap
     * is asked for with {@code -Dd4c.staging.exchange=false} (file systems that refuse the exchange take that path).
     */
    static boolean swap(Path a, Path b) throws IOException {
      if (!Boolean.parseBoolean(System.getProperty("d4c.staging.exchange", "true")) || noExchange) {
        return false;
      }
      if (load() == null) return false;
      try {
        libc.renameat2(AT_FDCWD, a.toAbsolutePath().toString(), AT_FDCWD, b.toAbsolutePath().toString(), RENAME_EXCHANGE);
        return true;
      } catch (com.sun.jna.LastErrorException e) {
        if (e.getErrorCode() == 22 /* EINVAL */ || e.getErrorCode() == 38 /* ENOSYS */ || e.getErrorCode() == 95 /* EOPNOTSUPP */) {
          noExchange = true;
          return false;
        }
        throw new IOException("cannot swap " + b + " with the new build: " + e.getMessage(), e);
      }
    }
  }
}
