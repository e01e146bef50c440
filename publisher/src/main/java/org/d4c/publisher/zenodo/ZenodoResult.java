package org.d4c.publisher.zenodo;

import java.net.URI;
import java.util.List;

/**
 * What a deposit left on Zenodo.
 *
 * @param outcome {@link Outcome#PUBLISHED} (this run published it), {@link Outcome#ALREADY_THERE} (the recorded
 *     version was found with every file's MD5 equal) or {@link Outcome#MISMATCH} (found, but files differ: see the
 *     files' states)
 * @param recordId the version's record id
 * @param versionDoi e.g. 10.5281/zenodo.1234
 * @param conceptRecordId the id of the concept record (all versions)
 * @param conceptDoi the DOI that always resolves to the latest version; record it for the next version
 * @param recordUrl the record's HTML page
 * @param files one entry per release file (name order), then any file the record has beyond them
 */
public record ZenodoResult(Outcome outcome, long recordId, String versionDoi, long conceptRecordId, String conceptDoi,
    URI recordUrl, List<ZenodoFile> files) {
  public enum Outcome { PUBLISHED, ALREADY_THERE, MISMATCH }

  public ZenodoResult {
    files = List.copyOf(files);
  }

  /** True when every file is where it should be with the right checksum. */
  public boolean ok() {
    return outcome != Outcome.MISMATCH;
  }

  /** One line per file that is not right, e.g. {@code data.parquet: MISMATCH (Zenodo has md5 …, local …)}. */
  public List<String> problems() {
    return files.stream().filter(f -> !f.state().good())
        .map(f -> f.name() + ": " + f.state() + (f.detail() == null ? "" : " (" + f.detail() + ")")).toList();
  }

  /**
   * One file of the deposit.
   *
   * @param md5 the checksum Zenodo reports (lowercase hex), or null when missing
   * @param downloadUrl where Zenodo serves it, or null when missing
   */
  public record ZenodoFile(String name, long size, String md5, URI downloadUrl, State state, String detail) {}

  public enum State {
    UPLOADED(true), ALREADY_THERE(true), MISSING(false), MISMATCH(false), EXTRA(false);

    private final boolean good;

    State(boolean good) {
      this.good = good;
    }

    public boolean good() {
      return good;
    }
  }
}
