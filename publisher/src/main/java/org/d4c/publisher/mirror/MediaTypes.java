package org.d4c.publisher.mirror;

/** The Content-Type of a release file, from its name. */
public final class MediaTypes {
  public static final String PARQUET = "application/vnd.apache.parquet";
  public static final String JSON = "application/json";
  public static final String NDJSON = "application/x-ndjson";
  public static final String TORRENT = "application/x-bittorrent";
  public static final String TAR_GZ = "application/gzip";
  public static final String YAML = "application/yaml";

  private MediaTypes() {}

  public static String of(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    if (n.endsWith(".parquet")) return PARQUET;
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) return NDJSON;
    if (n.endsWith(".json")) return JSON;
    if (n.endsWith(".torrent")) return TORRENT;
    if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) return TAR_GZ;
    if (n.endsWith(".yaml") || n.endsWith(".yml")) return YAML;
    return "application/octet-stream";
  }
}
