package org.d4c.manifests.sources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks a zip before GDAL opens it through /vsizip/: no entry may point outside the archive (zip-slip),
 * and it may not inflate to more than a limit, nor by more than a ratio (zip bomb). Declared sizes can lie,
 * so every entry is also inflated and counted, stopping as soon as a limit is passed.
 */
public final class ZipGuard {
  public static final long DEFAULT_MAX_UNCOMPRESSED = 4L << 30;
  public static final double DEFAULT_MAX_RATIO = 200;
  /** Below this, the ratio is not judged: tiny archives of repetitive text compress very well legitimately. */
  static final long RATIO_GRACE_BYTES = 1 << 20;

  private ZipGuard() {}

  public static void check(Path zip, String member) {
    check(zip, member, DEFAULT_MAX_UNCOMPRESSED, DEFAULT_MAX_RATIO);
  }

  /**
   * @param member the entry the recipe names ({@code path}), or null
   * @throws SourceException naming the file and the entry
   */
  public static void check(Path zip, String member, long maxUncompressed, double maxRatio) {
    long compressed;
    try {
      compressed = Math.max(1, Files.size(zip));
    } catch (IOException e) {
      throw new SourceException(zip + ": cannot read: " + e.getMessage(), e);
    }
    try (ZipFile zf = new ZipFile(zip.toFile())) {
      List<ZipEntry> entries = Collections.list(zf.entries()).stream().map(e -> (ZipEntry) e).collect(Collectors.toList());
      long declared = 0;
      for (ZipEntry e : entries) {
        String unsafe = unsafeName(e.getName());
        if (unsafe != null) throw new SourceException(zip + ": zip-slip: entry \"" + e.getName() + "\" " + unsafe);
        if (e.getSize() > 0) declared += e.getSize();
      }
      String link = symbolicLink(zip);
      if (link != null) throw new SourceException(zip + ": " + link);
      String limits = " (limits: " + maxUncompressed + " bytes, ratio " + maxRatio + ")";
      if (declared > maxUncompressed) {
        throw new SourceException(zip + ": zip bomb: entries declare " + declared + " bytes uncompressed" + limits);
      }
      if (declared > RATIO_GRACE_BYTES && declared / (double) compressed > maxRatio) {
        throw new SourceException(zip + ": zip bomb: entries declare " + declared + " bytes from " + compressed + " compressed" + limits);
      }
      if (member != null) {
        String wanted = member.startsWith("./") ? member.substring(2) : member;
        if (entries.stream().noneMatch(e -> e.getName().equals(wanted))) {
          List<String> names = entries.stream().filter(e -> !e.isDirectory()).map(ZipEntry::getName).toList();
          throw new SourceException(zip + ": no member \"" + member + "\"; it has " + names.size() + " file(s): "
              + String.join(", ", names.subList(0, Math.min(20, names.size()))) + (names.size() > 20 ? ", ..." : ""));
        }
      }
      // The declared sizes may lie: inflate everything and count.
      long total = 0;
      byte[] buf = new byte[64 * 1024];
      for (ZipEntry e : entries) {
        if (e.isDirectory()) continue;
        try (InputStream in = zf.getInputStream(e)) {
          for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > maxUncompressed) {
              throw new SourceException(zip + ": zip bomb: inflates to more than " + maxUncompressed + " bytes (at entry \"" + e.getName() + "\")" + limits);
            }
            if (total > RATIO_GRACE_BYTES && total / (double) compressed > maxRatio) {
              throw new SourceException(zip + ": zip bomb: inflates more than " + maxRatio + " times its " + compressed
                  + " bytes (at entry \"" + e.getName() + "\")" + limits);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new SourceException(zip + ": not a readable zip: " + e.getMessage(), e);
    }
  }

  /**
   * Why the zip holds a symbolic link (GDAL's /vsizip/ would read the link's target text as the file, or refuse it
   * without a reason), or null when it holds none. java.util.zip does not show Unix modes; commons-compress does.
   */
  static String symbolicLink(Path zip) throws IOException {
    try (org.apache.commons.compress.archivers.zip.ZipFile zf =
        org.apache.commons.compress.archivers.zip.ZipFile.builder().setPath(zip).get()) {
      for (var e : Collections.list(zf.getEntries())) {
        if (e.isUnixSymlink()) {
          return "entry \"" + e.getName() + "\" is a symbolic link (to \"" + zf.getUnixSymlink(e)
              + "\"); only regular files are read from an archive: put the file itself in the zip";
        }
      }
    }
    return null;
  }

  /** Why a name is unsafe, or null. */
  static String unsafeName(String name) {
    if (name.indexOf('\\') >= 0) return "contains a backslash";
    if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) return "is an absolute path";
    for (String seg : name.split("/")) {
      if (seg.equals("..")) return "contains a \"..\" segment";
    }
    if (name.indexOf('\0') >= 0) return "contains a NUL character";
    return null;
  }
}
