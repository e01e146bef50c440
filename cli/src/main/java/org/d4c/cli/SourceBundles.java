package org.d4c.cli;

import java.nio.file.Path;
import org.d4c.manifests.bundle.BundleException;
import org.d4c.manifests.bundle.SourceBundle;
import org.d4c.publisher.mirror.MirrorException;

/** Makes the source bundle of a build for {@code publish} (see {@link SourceBundle}), from the d4c checkout. */
public final class SourceBundles {
  private SourceBundles() {}

  public static Path make(Path buildDir, Path outDir) {
    try {
      return SourceBundle.of(buildDir).repository(D4c.home()).writeTo(outDir).file();
    } catch (BundleException e) {
      throw new MirrorException(buildDir.toString(), e.getMessage());
    }
  }
}
