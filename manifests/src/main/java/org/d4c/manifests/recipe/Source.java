package org.d4c.manifests.recipe;

import java.util.List;

/**
 * One input file of a recipe. {@code sha256} and {@code size} are null until {@code d4c lock} fills them in;
 * {@code layer}, {@code path} (member inside a .zip), {@code where} are null when not given.
 */
public record Source(
    String id,
    List<String> urls,
    String sha256,
    Long size,
    String layer,
    String path,
    String where,
    List<String> openOptions) {

  public Source {
    urls = List.copyOf(urls);
    openOptions = openOptions == null ? List.of() : List.copyOf(openOptions);
  }

  public boolean isLocked() {
    return sha256 != null && size != null;
  }

  public Source withLock(String sha256, long size) {
    return new Source(id, urls, sha256, size, layer, path, where, openOptions);
  }
}
