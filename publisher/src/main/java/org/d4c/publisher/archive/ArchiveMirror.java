package org.d4c.publisher.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.mirror.MirrorException;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.mirror.ReleaseFile;

/**
 * The Internet Archive as a mirror: {@link ArchiveUpload} behind the {@link Mirror} interface. Files the archive has
 * not ingested yet are reported as {@link Outcome#PENDING}, which is not a failure.
 */
public final class ArchiveMirror implements Mirror {
  private final MirrorFile.Archive config;
  private final ArchiveUpload upload;

  public ArchiveMirror(MirrorFile.Archive config, Credentials credentials) {
    this.config = config;
    String access = credentials.require(config.id(), "access_key_env", config.accessKeyEnv());
    String secret = credentials.require(config.id(), "secret_key_env", config.secretKeyEnv());
    try {
      this.upload = new ArchiveUpload(new ArchiveConfig(config.endpoint(), config.archiveUrl(), access, secret,
          config.accessKeyEnv(), config.secretKeyEnv(), config.itemPrefix(), config.collection()));
    } catch (IllegalArgumentException e) {
      throw new MirrorException("mirror " + config.id(), e.getMessage());
    }
  }

  @Override
  public MirrorFile.Archive config() {
    return config;
  }

  @Override
  public String url(Release release, ReleaseFile file) {
    return upload.downloadUrl(upload.item(release), file.name()).toString();
  }

  @Override
  public Report publish(Release release, Progress progress) {
    try {
      return report(upload.publish(release, progress), false);
    } catch (ArchiveException e) {
      throw new MirrorException("mirror " + config.id(), e.getMessage());
    }
  }

  @Override
  public Report verify(Release release, Progress progress) {
    try {
      return report(upload.verify(release, progress), true);
    } catch (ArchiveException e) {
      throw new MirrorException("mirror " + config.id(), e.getMessage());
    }
  }

  private Report report(ArchiveResult r, boolean verifying) {
    List<FileResult> files = new ArrayList<>();
    for (ArchiveResult.ArchiveFile f : r.files()) {
      Outcome o = switch (f.state()) {
        case UPLOADED -> Outcome.UPLOADED;
        case ALREADY_THERE -> verifying ? Outcome.VERIFIED : Outcome.ALREADY_THERE;
        case OK -> Outcome.VERIFIED;
        case PENDING -> Outcome.PENDING;
        case MISSING -> Outcome.MISSING;
        case MISMATCH -> Outcome.CORRUPT;
      };
      String detail = f.detail() != null ? f.detail() : "md5 " + f.md5();
      files.add(new FileResult(f.name(), o, 0, f.downloadUrl() == null ? null : f.downloadUrl().toString(), detail));
    }
    return new Report(config.id(), files, Map.of("item", r.item()));
  }
}
