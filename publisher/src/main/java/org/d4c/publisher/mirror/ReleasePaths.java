package org.d4c.publisher.mirror;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The layout every mirror with a public URL shares: {@code <base><dataset>-<version>/<file>}. The folder is the
 * torrent's root folder, so the mirror's public base URL is, unchanged, a BEP 19 web seed of the torrent.
 */
public final class ReleasePaths {
  private ReleasePaths() {}

  /** {@code ca-provinces-1.0.0}: the same name as the torrent's root folder. */
  public static String folder(Release r) {
    return r.dataset() + "-" + r.version();
  }

  /** The relative path of a file: {@code ca-provinces-1.0.0/provinces.parquet}. */
  public static String path(Release r, ReleaseFile f) {
    return folder(r) + "/" + f.name();
  }

  /** {@code base} + the path, each segment percent-encoded (as libtorrent encodes web seed requests). */
  public static String url(String base, Release r, ReleaseFile f) {
    return base + encode(path(r, f));
  }

  public static String encode(String path) {
    StringBuilder sb = new StringBuilder();
    for (String seg : path.split("/", -1)) {
      if (sb.length() > 0) sb.append('/');
      sb.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return sb.toString();
  }
}
