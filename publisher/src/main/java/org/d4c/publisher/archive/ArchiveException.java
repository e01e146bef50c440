package org.d4c.publisher.archive;

/**
 * An upload or check that failed. The message names the item and file, the archive's error code and what to do;
 * it never holds the keys (server texts are scrubbed of them before they are quoted).
 */
public class ArchiveException extends RuntimeException {
  private final int status;

  public ArchiveException(String message) {
    this(message, 0);
  }

  public ArchiveException(String message, int status) {
    super(message);
    this.status = status;
  }

  /** The HTTP status that caused it, or 0. */
  public int status() {
    return status;
  }
}
