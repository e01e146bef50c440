package org.d4c.publisher.mirror;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.d4c.core.hash.Hashing;
import org.d4c.core.progress.Progress;

/**
 * A folder as a mirror ({@code type: local}): files go to {@code <path>/<dataset>-<version>/<file>}, copied to a
 * temporary name and moved into place, so a reader never sees half a file. {@code d4c serve} (or any web server)
 * makes it public at {@code public_url}. Needs no credentials: the demo publishes here.
 */
public final class LocalMirror implements Mirror {
  private final MirrorFile.Local config;

  public LocalMirror(MirrorFile.Local config) {
    this.config = config;
  }

  @Override
  public MirrorFile.Local config() {
    return config;
  }

  @Override
  public String url(Release release, ReleaseFile file) {
    return config.publicUrl() == null ? null : ReleasePaths.url(config.publicUrl(), release, file);
  }

  @Override
  public String webSeed(Release release) {
    return config.publicUrl();
  }

  @Override
  public Report publish(Release release, Progress progress) {
    List<FileResult> out = new ArrayList<>();
    for (ReleaseFile f : release.files()) {
      out.add(copy(config.path().resolve(ReleasePaths.path(release, f)), f, url(release, f), progress));
    }
    return new Report(config.id(), out, null);
  }

  @Override
  public Report publishCatalog(Path dir, List<ReleaseFile> files, Progress progress) {
    List<FileResult> out = new ArrayList<>();
    for (ReleaseFile f : files) {
      String url = config.publicUrl() == null ? null : config.publicUrl() + ReleasePaths.encode("catalog/" + f.name());
      out.add(copy(config.path().resolve("catalog").resolve(f.name()), f, url, progress));
    }
    return new Report(config.id(), out, null);
  }

  private FileResult copy(Path target, ReleaseFile f, String url, Progress progress) {
    try {
      if (Files.isRegularFile(target) && Files.size(target) == f.size() && Hashing.sha256(target).equals(f.sha256())) {
        return new FileResult(f.name(), Outcome.ALREADY_THERE, f.size(), url, "sha256 " + f.sha256());
      }
      progress.begin(config.id() + " " + f.name(), f.size());
      // 0644 whatever the source file's mode: the folder is served to everyone
      org.d4c.core.io.AtomicFiles.replace(target, org.d4c.core.io.AtomicFiles.PUBLIC, tmp -> {
        Files.copy(f.path(), tmp, StandardCopyOption.REPLACE_EXISTING);
        String actual = Hashing.sha256(tmp);
        if (!actual.equals(f.sha256())) {
          throw new MirrorException(f.path().toString(), "changed on disk: sha256 " + actual + ", the release says " + f.sha256());
        }
      });
      progress.update(f.size());
      progress.end();
      return new FileResult(f.name(), Outcome.UPLOADED, f.size(), url, "sha256 " + f.sha256());
    } catch (IOException e) {
      throw MirrorException.transientFailure("mirror " + config.id(), "cannot write " + target + ": " + e.getMessage());
    }
  }

  @Override
  public Report verify(Release release, Progress progress) {
    List<FileResult> out = new ArrayList<>();
    for (ReleaseFile f : release.files()) {
      Path p = config.path().resolve(ReleasePaths.path(release, f));
      String url = url(release, f);
      if (!Files.isRegularFile(p)) {
        out.add(new FileResult(f.name(), Outcome.MISSING, 0, url, "no file " + p));
        continue;
      }
      try {
        long size = Files.size(p);
        String actual = Hashing.sha256(p);
        out.add(size == f.size() && actual.equals(f.sha256())
            ? new FileResult(f.name(), Outcome.VERIFIED, size, url, "sha256 " + actual)
            : new FileResult(f.name(), Outcome.CORRUPT, size, url, "read back " + size + " bytes with sha256 " + actual
                + "; expected " + f.size() + " bytes with sha256 " + f.sha256()));
      } catch (IOException | UncheckedIOException e) {
        out.add(new FileResult(f.name(), Outcome.FAILED, 0, url, e.getMessage()));
      }
    }
    return new Report(config.id(), out, null);
  }
}
