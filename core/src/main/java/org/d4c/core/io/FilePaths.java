package org.d4c.core.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Paths as they appear in d4c's outputs: always with '/', whatever the platform, and resolved through links. */
public final class FilePaths {
  private FilePaths() {}

  /** A relative path with '/' separators (manifests, catalogs and torrents never carry '\'). */
  public static String slash(Path relative) {
    List<String> parts = new ArrayList<>();
    relative.forEach(p -> parts.add(p.toString()));
    return String.join("/", parts);
  }

  /** The real path when the file exists, else the absolute normalized one. */
  public static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }
}
