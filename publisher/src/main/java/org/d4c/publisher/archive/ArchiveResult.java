package org.d4c.publisher.archive;

import java.net.URI;
import java.util.List;

/**
 * The state of one dataset version's item on the Internet Archive.
 *
 * @param item the item identifier
 * @param itemUrl the item's page, {@code https://archive.org/details/<item>}
 * @param files one per release file, in name order
 */
public record ArchiveResult(String item, URI itemUrl, List<ArchiveFile> files) {
  public ArchiveResult {
    files = List.copyOf(files);
  }

  /**
   * @param md5 the local file's MD5 (lowercase hex)
   * @param archiveMd5 what the archive's metadata reports, or null when it lists no such file (yet)
   * @param downloadUrl {@code https://archive.org/download/<item>/<file>}
   */
  public record ArchiveFile(String name, String md5, String archiveMd5, URI downloadUrl, State state, String detail) {}

  /**
   * {@code UPLOADED}: sent and accepted; the archive ingests asynchronously, so it is not verified yet (run verify
   * later). {@code ALREADY_THERE}: the archive lists it with the same MD5, nothing sent. {@code OK}: verified.
   * {@code PENDING}: not listed, or listed with another MD5, while the item still has tasks queued or running.
   * {@code MISSING} / {@code MISMATCH}: not listed, or another MD5, with no task left that could change that.
   */
  public enum State {
    UPLOADED(true), ALREADY_THERE(true), OK(true), PENDING(true), MISSING(false), MISMATCH(false);

    private final boolean acceptable;

    State(boolean acceptable) {
      this.acceptable = acceptable;
    }

    /** Not an error (yet): OK, already there, or waiting for the archive. */
    public boolean acceptable() {
      return acceptable;
    }
  }

  /** True when every file is verified: OK or ALREADY_THERE. */
  public boolean verified() {
    return files.stream().allMatch(f -> f.state() == State.OK || f.state() == State.ALREADY_THERE);
  }

  /** True when some file still waits for the archive (UPLOADED or PENDING). */
  public boolean pending() {
    return files.stream().anyMatch(f -> f.state() == State.UPLOADED || f.state() == State.PENDING);
  }

  /** One line per MISSING or MISMATCH file. */
  public List<String> problems() {
    return files.stream().filter(f -> !f.state().acceptable())
        .map(f -> item + "/" + f.name() + ": " + f.state() + (f.detail() == null ? "" : " (" + f.detail() + ")")).toList();
  }
}
