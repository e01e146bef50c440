package org.d4c.pipelines.build;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.ZipFile;
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
      // ZipGuard names the file it read, the cache's copy: the user knows it by the source's file name.
      String why = e.getMessage().startsWith(cached + ": ") ? e.getMessage().substring(cached.toString().length() + 2)
          : e.getMessage().replace(cached.toString(), fileName);
      throw new SourceException("source '" + source.id() + "' (" + fileName + "): " + why, e);
    }
    String zipLink = fileName.toLowerCase(Locale.ROOT).endsWith(".zip") ? link.toString() : link + ".zip";
    if (!zipLink.equals(link.toString())) {
      Files.move(link, Path.of(zipLink));
    }
    return "/vsizip/" + zipLink + (source.path() == null ? "" : "/" + source.path());
  }

  /**
   * What a source lacks that GDAL reads past without a word: a shapefile without its .dbf has features but no
   * attributes. One sentence per finding, naming the source and the file; empty when nothing is missing.
   */
  static List<String> warnings(Source source, Path cached) throws IOException {
    String fileName = fileName(source);
    List<String> names = new ArrayList<>();
    boolean zip = fileName.toLowerCase(Locale.ROOT).endsWith(".zip") || isZip(cached);
    if (zip) {
      try (ZipFile zf = new ZipFile(cached.toFile())) {
        zf.stream().filter(e -> !e.isDirectory()).forEach(e -> names.add(e.getName()));
      }
    } else {
      names.add(fileName);
    }
    Set<String> lower = new HashSet<>();
    names.forEach(n -> lower.add(n.toLowerCase(Locale.ROOT)));
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String l = n.toLowerCase(Locale.ROOT);
      if (!l.endsWith(".shp") || (source.path() != null && !n.equals(source.path()))) continue;
      String dbf = n.substring(0, n.length() - 4) + ".dbf";
      if (!lower.contains(dbf.toLowerCase(Locale.ROOT))) {
        out.add("source '" + source.id() + "' (" + (zip ? fileName + ": " : "") + n + "): no " + dbf.substring(dbf.lastIndexOf('/') + 1)
            + " beside it, so its features have no attributes; add the .dbf to the source");
      }
    }
    return out;
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
