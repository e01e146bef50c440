package org.d4c.pipelines.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.d4c.manifests.recipe.Source;
import org.d4c.manifests.sources.SourceException;
import org.d4c.manifests.sources.ZipGuard;
import org.d4c.transforms.table.CsvMember;

/**
 * The CSV files a source stands for: the file itself, or the members of a zip its {@code path} names (a glob reads
 * every matching member, in name order, as one source). A member stored without compression is read in place, at
 * its offset in the archive; a compressed one is inflated once into the build's work folder, so both can be read in
 * parallel byte ranges.
 */
final class CsvMembers {
  /** CSV members can be far larger than vector files: the bomb check keeps its ratio but allows more bytes. */
  static final long MAX_UNCOMPRESSED = 1L << 40;

  private CsvMembers() {}

  /** True when the source is read as CSV by d4c (rather than by GDAL). */
  static boolean isCsv(Source s) {
    String name = (s.path() != null ? s.path() : SourceFiles.fileName(s)).toLowerCase(Locale.ROOT);
    return name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".txt") || name.endsWith(".csv.zip")
        || s.table() != null;
  }

  static List<CsvMember> of(Source s, Path cached, Path work) throws IOException {
    if (!isZip(cached)) {
      if (s.path() != null) {
        throw new SourceException("source '" + s.id() + "': 'path' names a member inside an archive, but "
            + SourceFiles.fileName(s) + " is not a .zip");
      }
      return List.of(new CsvMember(SourceFiles.fileName(s), cached.toString(), 0, Files.size(cached)));
    }
    try {
      ZipGuard.check(cached, s.isGlob() ? null : s.path(), MAX_UNCOMPRESSED, SourceFiles.MAX_RATIO);
    } catch (SourceException e) {
      throw new SourceException("source '" + s.id() + "' (" + SourceFiles.fileName(s) + "): " + e.getMessage(), e);
    }
    List<CsvMember> members = new ArrayList<>();
    try (ZipFile zip = ZipFile.builder().setPath(cached).get()) {
      List<ZipArchiveEntry> entries = new ArrayList<>();
      PathMatcher glob = s.path() == null ? null : FileSystems.getDefault().getPathMatcher("glob:" + s.path());
      List<String> all = new ArrayList<>();
      for (ZipArchiveEntry e : Collections.list(zip.getEntries())) {
        if (e.isDirectory()) continue;
        all.add(e.getName());
        boolean match = s.path() == null ? e.getName().toLowerCase(Locale.ROOT).endsWith(".csv")
            : s.isGlob() ? glob.matches(Path.of(e.getName())) : e.getName().equals(s.path());
        if (match) entries.add(e);
      }
      if (entries.isEmpty()) {
        throw new SourceException("source '" + s.id() + "': no member of " + SourceFiles.fileName(s) + " matches "
            + (s.path() == null ? "*.csv (give the member with path:)" : "path \"" + s.path() + "\"") + "; it has "
            + all.subList(0, Math.min(20, all.size())));
      }
      entries.sort((a, b) -> a.getName().compareTo(b.getName()));
      Path dir = Files.createDirectories(work.resolve("csv-" + s.id()));
      for (int i = 0; i < entries.size(); i++) {
        ZipArchiveEntry e = entries.get(i);
        if (e.getMethod() == ZipArchiveEntry.STORED && e.getDataOffset() > 0) {
          members.add(new CsvMember(e.getName(), cached.toString(), e.getDataOffset(), e.getSize()));
        } else {
          Path out = dir.resolve(i + ".csv");
          try (InputStream in = zip.getInputStream(e)) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
          }
          members.add(new CsvMember(e.getName(), out.toString(), 0, Files.size(out)));
        }
      }
    }
    return members;
  }

  private static boolean isZip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(4);
      return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
    }
  }
}
