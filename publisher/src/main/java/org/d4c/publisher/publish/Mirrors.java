package org.d4c.publisher.publish;

import java.nio.file.Path;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.LocalMirror;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.mirror.MirrorException;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.mirror.S3Mirror;

/** Opens the mirror a mirror-file entry describes. */
public final class Mirrors {
  private Mirrors() {}

  /** {@code stateDir} keeps resumable upload state (per mirror id inside it). */
  public static Mirror open(MirrorFile.Config c, Credentials credentials, Path stateDir) {
    if (c instanceof MirrorFile.S3 s) return new S3Mirror(s, credentials, stateDir);
    if (c instanceof MirrorFile.Local l) return new LocalMirror(l);
    if (c instanceof MirrorFile.Zenodo z) throw new MirrorException("mirror " + z.id(), "Zenodo is not wired yet");
    if (c instanceof MirrorFile.Archive a) throw new MirrorException("mirror " + a.id(), "the Internet Archive is not wired yet");
    throw new IllegalArgumentException(String.valueOf(c));
  }
}
