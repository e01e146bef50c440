package org.d4c.publisher.mirror;

import java.util.List;
import org.d4c.manifests.lock.Manifest;

/**
 * One dataset version as it goes to the mirrors: the build's files, its manifest, the source bundle and the
 * torrent, in name order.
 *
 * @param dataset the recipe's dataset id
 * @param version its version
 * @param manifest the build's manifest (title, license, sources, code commit: the metadata of a deposit)
 * @param files every file to upload, sorted by name
 */
public record Release(String dataset, String version, Manifest manifest, List<ReleaseFile> files) {
  public Release {
    files = List.copyOf(files);
  }
}
