package org.d4c.catalog;

import org.d4c.core.io.FilePaths;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Link and asset hrefs. Inside catalog.parquet (and the collections in its metadata) a relative href is relative to
 * the folder holding catalog.parquet; in the static JSON files it is relative to the JSON file, as STAC wants.
 * {@link #relocate} turns the first form into the second. Absolute URLs are never changed.
 */
final class Hrefs {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Path ROOT = Path.of("/catalog-root");

  private Hrefs() {}

  static boolean isAbsolute(String href) {
    return SCHEME.matcher(href).find() || href.startsWith("/");
  }

  /** A catalog-root-relative href as seen from the folder {@code fromDir} (catalog-root-relative, "" for the root). */
  static String relocate(String href, String fromDir) {
    if (isAbsolute(href)) return href;
    Path target = ROOT.resolve(href).normalize();
    Path from = ROOT.resolve(fromDir).normalize();
    String rel = FilePaths.slash(from.relativize(target));
    if (href.endsWith("/") && !rel.endsWith("/")) rel += "/";
    return rel.isEmpty() ? "./" : rel;
  }

  /** The inverse of {@link #relocate}: a document-relative href made relative to the catalog root again. */
  static String toRoot(String href, String fromDir) {
    if (isAbsolute(href)) return href;
    String rel = FilePaths.slash(ROOT.relativize(ROOT.resolve(fromDir).resolve(href).normalize()));
    if (href.endsWith("/") && !rel.endsWith("/")) rel += "/";
    return rel;
  }

  /**
   * The default asset location: the build folder relative to the catalog folder, percent-encoded, ending in "/".
   * Relative, never absolute, so a catalog does not depend on the machine that wrote it.
   */
  static String defaultBase(Path catalogDir, Path buildDir) {
    Path c = FilePaths.real(catalogDir);
    Path b = FilePaths.real(buildDir);
    Path rel = c.relativize(b);
    String s = encode(rel);
    return s.isEmpty() ? "" : s + "/";
  }

  /** Expands {dataset} and {version} in an --href-base and makes sure it ends in "/". */
  static String expand(String template, String dataset, String version) {
    String s = template.replace("{dataset}", dataset).replace("{version}", version);
    return s.endsWith("/") || s.isEmpty() ? s : s + "/";
  }

  /** Percent-encodes each segment of a relative path and joins them with "/". */
  static String encode(Path relative) {
    List<String> parts = new ArrayList<>();
    for (Path p : relative) {
      String seg = p.toString();
      if (seg.isEmpty()) continue;
      parts.add(encodeSegment(seg));
    }
    return String.join("/", parts);
  }

  /** RFC 3986 percent-encoding of one path segment: unreserved characters and "!$&'()*+,;=@" stay, UTF-8 bytes of the rest are encoded. */
  static String encodeSegment(String seg) {
    StringBuilder sb = new StringBuilder();
    for (byte b : seg.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~!$&'()*+,;=@".indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return sb.toString();
  }

}
