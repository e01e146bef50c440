package org.d4c.manifests.recipe;

import java.util.List;

/**
 * One input file of a recipe. {@code sha256} and {@code size} are null until {@code d4c lock} fills them in;
 * {@code layer}, {@code path} (member inside a .zip, or a glob over members read as one source), {@code where} are null
 * when not given; {@code table} holds the options of a CSV source (null when none are given).
 */
public record Source(
    String id,
    List<String> urls,
    String sha256,
    Long size,
    String layer,
    String path,
    String where,
    List<String> openOptions,
    TableOptions table) {

  public Source {
    urls = List.copyOf(urls);
    openOptions = openOptions == null ? List.of() : List.copyOf(openOptions);
    table = table == null || table.isEmpty() ? null : table;
  }

  public Source(String id, List<String> urls, String sha256, Long size, String layer, String path, String where,
      List<String> openOptions) {
    this(id, urls, sha256, size, layer, path, where, openOptions, null);
  }

  /** Options of a delimited-text source; defaults when the recipe gives none. */
  public TableOptions tableOrDefaults() {
    return table == null ? new TableOptions(null, null, null, null, null, null, null) : table;
  }

  /** True when {@code path} is a glob over the members of an archive ({@code *}, {@code ?} or {@code [}). */
  public boolean isGlob() {
    return path != null && (path.contains("*") || path.contains("?") || path.contains("["));
  }

  public boolean isLocked() {
    return sha256 != null && size != null;
  }

  public Source withLock(String sha256, long size) {
    return new Source(id, urls, sha256, size, layer, path, where, openOptions, table);
  }
}
