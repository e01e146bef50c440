package org.d4c.publisher.torrent;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The magnet URI of a d4c torrent. libtorrent writes {@code xt} (v1 {@code urn:btih:}, and {@code urn:btmh:} for a
 * hybrid), {@code dn}, {@code tr} (the torrent's trackers, so a client finds peers without DHT) and {@code ws} (BEP 19
 * web seeds, so a client can download before any peer is found); {@link #withTorrentUrls} adds {@code xs} ("exact
 * source"): the {@code .torrent} file's own URL on each mirror, so a client can take the metadata over HTTP instead of
 * from a peer (BEP 9 {@code ut_metadata}). A client must check that the file's info-hash equals {@code xt}.
 */
public final class Magnet {
  private Magnet() {}

  /** {@code magnet} with one {@code xs} per URL, in the order given, duplicates dropped, percent-encoded. */
  public static String withTorrentUrls(String magnet, List<String> torrentUrls) {
    if (!magnet.startsWith("magnet:?")) throw new IllegalArgumentException("not a magnet URI: " + magnet);
    StringBuilder sb = new StringBuilder(magnet);
    for (String x : new LinkedHashSet<>(torrentUrls)) {
      if (!(x.startsWith("http://") || x.startsWith("https://"))) throw new IllegalArgumentException("xs must be an http(s) URL, got " + x);
      sb.append("&xs=").append(URLEncoder.encode(x, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return sb.toString();
  }
}
