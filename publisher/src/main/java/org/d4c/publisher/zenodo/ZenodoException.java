package org.d4c.publisher.zenodo;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

/**
 * A deposit that could not be made or checked. The message says which request, which file or field, and what to do
 * next; it never holds the token (server texts are scrubbed of it before they are quoted).
 */
public class ZenodoException extends D4cException {
  private final int status;

  public ZenodoException(String message) {
    this(message, 0, null);
  }

  public ZenodoException(String message, int status, Throwable cause) {
    super(ExitCode.FAILED, message, cause);
    this.status = status;
  }

  /** The HTTP status that caused it, or 0. */
  public int status() {
    return status;
  }
}
