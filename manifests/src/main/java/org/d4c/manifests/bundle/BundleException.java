package org.d4c.manifests.bundle;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

/** A source bundle cannot be made, read or used; the message names the file and says what to do next. */
public class BundleException extends D4cException {
  public BundleException(String message) {
    super(ExitCode.BAD_INPUT, message);
  }

  public BundleException(String message, Throwable cause) {
    super(ExitCode.BAD_INPUT, message, cause);
  }
}
