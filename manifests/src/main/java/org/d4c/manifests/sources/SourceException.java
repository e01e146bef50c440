package org.d4c.manifests.sources;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

/** A source that cannot be fetched or opened safely. Messages never carry URL credentials. */
public class SourceException extends D4cException {
  public SourceException(String message) {
    super(ExitCode.SOURCE_PROBLEM, message);
  }

  public SourceException(String message, Throwable cause) {
    super(ExitCode.SOURCE_PROBLEM, message, cause);
  }
}
