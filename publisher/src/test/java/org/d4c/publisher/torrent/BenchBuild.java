package org.d4c.publisher.torrent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A build folder around one large file for the publish benchmark: the file linked in (not copied), a real manifest. */
public final class BenchBuild {
  private BenchBuild() {}

  public static Path write(Path dir, Path big) throws IOException {
    Files.createDirectories(dir);
    Path link = dir.resolve(big.getFileName());
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, big.toAbsolutePath());
    return FakeBuild.lock(dir, "big", "1.0.0", List.of(big.getFileName().toString()));
  }
}
