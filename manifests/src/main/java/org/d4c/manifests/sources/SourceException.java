package org.d4c.manifests.sources;

/** A source that cannot be fetched or opened safely. Messages never carry URL credentials. */
public class SourceException extends RuntimeException {
  public SourceException(String message) {
    super(message);
  }

  public SourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
