package org.d4c.publisher.mirror;

import java.nio.file.Path;

/**
 * One file of a release as it is uploaded.
 *
 * @param name its path inside the release, '/'-separated ({@code provinces.parquet}, {@code manifest.json})
 * @param path the local file
 * @param size bytes
 * @param sha256 lowercase hex
 * @param mediaType the Content-Type to serve it with
 */
public record ReleaseFile(String name, Path path, long size, String sha256, String mediaType) {
  public ReleaseFile {
    if (name.startsWith("/") || name.contains("\\") || name.contains("..")) {
      throw new IllegalArgumentException("a release file name must be a relative path without '..': " + name);
    }
  }
}
