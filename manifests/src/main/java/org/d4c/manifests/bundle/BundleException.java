package org.d4c.manifests.bundle;

/** A source bundle cannot be made, read or used; the message names the file and says what to do next. */
public class BundleException extends RuntimeException {
  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
