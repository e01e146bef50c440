package org.d4c.monitor;

import java.util.Locale;

/**
 * A storage location the monitor watches: an HTTP mirror (S3 bucket, R2, Source Cooperative, a folder served over
 * HTTP), a web seed, Zenodo, the Internet Archive, or a Smart Node (which announces itself through its status URL).
 */
public record Location(String id, String kind, String title, String statusUrl) {
  public static final String MIRROR = "mirror";
  public static final String WEB_SEED = "web-seed";
  public static final String SMART_NODE = "smart-node";
  public static final String ZENODO = "zenodo";
  public static final String ARCHIVE = "archive";

  /** The kind a publishing mirror id suggests ("zenodo", "ia"/"archive"), else an HTTP mirror. */
  public static String kindOf(String id) {
    String l = id.toLowerCase(Locale.ROOT);
    if (l.contains("zenodo")) return ZENODO;
    if (l.equals("ia") || l.contains("archive")) return ARCHIVE;
    return MIRROR;
  }

  /** A location id as the status schema allows: lowercase letters, digits, '.', '_' and '-'. */
  public static String sanitize(String s) {
    String id = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
    if (id.isEmpty()) id = "loc";
    return id.length() > 63 ? id.substring(0, 63) : id;
  }
}
