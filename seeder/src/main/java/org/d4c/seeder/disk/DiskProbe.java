package org.d4c.seeder.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Real disk usage and free space. Java reports only apparent file sizes (sparse files look full), so the bytes
 * actually allocated are read from coreutils {@code du -s -B1} (st_blocks x 512, summed over the folder). Free space
 * is the file store's usable space. Both are behind this interface so tests can inject a full disk.
 */
public interface DiskProbe {
  /** Bytes allocated on disk under {@code dir}. */
  long usedBytes(Path dir) throws IOException;

  /** Bytes still usable on the file system holding {@code dir}. */
  long freeBytes(Path dir) throws IOException;

  DiskProbe SYSTEM = new DiskProbe() {
    @Override
    public long usedBytes(Path dir) throws IOException {
      Process p = new ProcessBuilder("du", "-s", "-B1", "--", dir.toString()).redirectErrorStream(false).start();
      try {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
          // du exits 1 when a file vanished while it walked (libtorrent renames); its total is still usable.
          if (out.isEmpty()) throw new IOException("du failed on " + dir + ": " + err.strip());
        }
        return Long.parseLong(out.split("\\s+")[0]);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      } finally {
        p.destroy();
      }
    }

    @Override
    public long freeBytes(Path dir) throws IOException {
      return Files.getFileStore(dir).getUsableSpace();
    }
  };
}
