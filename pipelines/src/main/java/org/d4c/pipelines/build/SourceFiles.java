package org.d4c.pipelines.build;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.d4c.manifests.recipe.Source;
import org.d4c.manifests.sources.SourceException;
import org.d4c.manifests.sources.ZipGuard;

/**
 * Turns a fetched source (a content-addressed file in the cache, with no name of its own) into what GDAL opens:
 * a link named like the source's file, so drivers that go by extension recognise it, wrapped in /vsizip/ for
 * archives after {@link ZipGuard} has checked them.
 */
final class SourceFiles {
  static final long MAX_UNCOMPRESSED = 4L << 30;
  static final double MAX_RATIO = 200;

  private SourceFiles() {}

  static String datasetName(Source source, Path cached, Path workDir) throws IOException {
    String fileName = fileName(source);
    Path dir = Files.createDirectories(workDir.resolve(source.id()));
    Path link = dir.resolve(fileName);
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, cached.toAbsolutePath());
    boolean zip = fileName.toLowerCase(Locale.ROOT).endsWith(".zip") || isZip(cached);
    if (!zip) {
      if (source.path() != null) {
        throw new SourceException("source '" + source.id() + "': 'path' names a member inside an archive, but "
            + fileName + " is not a .zip");
      }
      return link.toString();
    }
    try {
      ZipGuard.check(cached, source.path(), MAX_UNCOMPRESSED, MAX_RATIO);
    } catch (SourceException e) {
      throw new SourceException("source '" + source.id() + "' (" + fileName + "): " + e.getMessage(), e);
    }
    String zipLink = fileName.toLowerCase(Locale.ROOT).endsWith(".zip") ? link.toString() : link + ".zip";
    if (!zipLink.equals(link.toString())) {
      Files.move(link, Path.of(zipLink));
    }
    return "/vsizip/" + zipLink + (source.path() == null ? "" : "/" + source.path());
  }

  /** The last path segment of the first URL, or the source id when it has none. */
  static String fileName(Source source) {
    String url = source.urls().get(0);
    String path = url;
    try {
      if (url.contains("://") || url.startsWith("file:")) {
        path = URI.create(url).getPath();
      }
    } catch (IllegalArgumentException e) {
      // Not a URI: a plain path.
    }
    String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
    name = name.replaceAll("[^A-Za-z0-9._-]", "_");
    return name.isEmpty() || name.startsWith(".") ? source.id() : name;
  }

  private static boolean isZip(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(4);
      return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
    }
  }
}
