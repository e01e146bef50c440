package org.d4c.publisher.mirror;

import org.d4c.testing.TestBuilds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;

/**
 * Small releases for the mirror client tests: output files of seeded random bytes, a real manifest (title, license,
 * description, keywords, providers, an http source URL and a GitHub code repository) and {@code manifest.json} itself
 * as the last file.
 */
public final class TestReleases {
  private TestReleases() {}

  /** A release of {@code dataset}/{@code version} in {@code dir} with one output per entry (name -> size). */
  public static Release write(Path dir, String dataset, String version, Map<String, Integer> outputs, long seed) {
    return write(dir, dataset, version, outputs, seed, "CC-BY-4.0");
  }

  public static Release write(Path dir, String dataset, String version, Map<String, Integer> outputs, long seed, String license) {
    try {
      Files.createDirectories(dir);
      TestBuilds.randomFiles(dir, outputs, seed);
      String head = "dataset: " + dataset + "\nversion: " + version + "\ntitle: Provinces of Canada – test " + dataset + "\n"
          + "description: |\n  Boundaries for the mirror tests.\n\n  Second paragraph with <b>markup</b> & an ampersand.\n"
          + "license: " + license + "\ncrs: OGC:CRS84\ndatetime: 2023-02-03\n"
          + "keywords: [provinces, boundaries, canada]\n"
          + "providers:\n  - name: Statistics Canada\n    roles: [producer, licensor]\n  - name: d4c\n    roles: [processor]\n"
          + "  - name: Example Host\n    roles: [host]\n"
          + "sources:\n  - id: src\n    urls: [https://example.org/data/provinces.gpkg]\n    sha256: " + "ab".repeat(32) + "\n    size: 1234\n";
      Manifest m = TestBuilds.lock(dir, head, outputs.keySet(), Map.of(), "https://github.com/dataforcanada/d4c.git");
      List<ReleaseFile> files = new ArrayList<>();
      for (Manifest.OutputFile o : m.outputs()) {
        files.add(new ReleaseFile(o.path(), dir.resolve(o.path()), o.size(), o.sha256(), o.mediaType()));
      }
      Path manifest = dir.resolve("manifest.json");
      files.add(new ReleaseFile("manifest.json", manifest, Files.size(manifest), Hashing.sha256(manifest), "application/json"));
      files.sort(java.util.Comparator.comparing(ReleaseFile::name));
      return new Release(dataset, version, m, files);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Overwrites one byte of a release file in place (size unchanged). */
  public static void damage(Path file) {
    try {
      byte[] b = Files.readAllBytes(file);
      b[0] ^= 1;
      Files.write(file, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String text(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
