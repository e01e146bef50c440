package org.d4c.pipelines.cli;

import java.nio.file.Path;
import org.d4c.publisher.mirror.MirrorException;

/** Makes the source bundle of a build (see the manifests module's bundle package). */
final class SourceBundles {
  private SourceBundles() {}

  static Path make(Path buildDir, Path outDir) {
    throw new MirrorException(buildDir.toString(), "source bundles are not wired yet");
  }
}
