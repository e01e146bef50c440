package org.d4c.seeder.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Frees a byte range of a file without changing its size: util-linux {@code fallocate --punch-hole} (Java has no
 * FALLOC_FL_PUNCH_HOLE). Only whole file-system blocks inside the range are released; the range reads back as zeros,
 * so the piece fails its hash at the next check and libtorrent counts it as missing.
 */
public final class HolePunch {
  private HolePunch() {}

  public static void punch(Path file, long offset, long length) throws IOException {
    if (length <= 0) return;
    Process p = new ProcessBuilder("fallocate", "--punch-hole", "--keep-size", "--offset", Long.toString(offset), "--length",
        Long.toString(length), "--", file.toString()).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("fallocate --punch-hole failed on " + file + ": " + out.strip());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }
}
