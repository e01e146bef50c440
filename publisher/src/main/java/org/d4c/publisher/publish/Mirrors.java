package org.d4c.publisher.publish;

import java.nio.file.Path;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.LocalMirror;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.archive.ArchiveMirror;
import org.d4c.publisher.zenodo.ZenodoMirror;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.mirror.S3Mirror;

/** Opens the mirror a mirror-file entry describes. */
public final class Mirrors {
  private Mirrors() {}

  /** {@code stateDir} keeps resumable upload state (per mirror id inside it). */
  public static Mirror open(MirrorFile.Config c, Credentials credentials, Path stateDir) {
    if (c instanceof MirrorFile.S3 s) return new S3Mirror(s, credentials, stateDir);
    if (c instanceof MirrorFile.Local l) return new LocalMirror(l);
    if (c instanceof MirrorFile.Zenodo z) return new ZenodoMirror(z, credentials);
    if (c instanceof MirrorFile.Archive a) return new ArchiveMirror(a, credentials);
    throw new IllegalArgumentException(String.valueOf(c));
  }
}
