package org.d4c.publisher.archive;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

/**
 * An upload or check that failed. The message names the item and file, the archive's error code and what to do;
 * it never holds the keys (server texts are scrubbed of them before they are quoted).
 */
public class ArchiveException extends D4cException {
  private final int status;

  public ArchiveException(String message) {
    this(message, 0);
  }

  public ArchiveException(String message, int status) {
    super(ExitCode.FAILED, message);
    this.status = status;
  }

  /** The HTTP status that caused it, or 0. */
  public int status() {
    return status;
  }
}
