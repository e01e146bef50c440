package org.d4c.monitor.report;

/** A report refused before anything was fetched: the reason is sent back with 400. */
public final class ReportException extends RuntimeException {
  public ReportException(String message) {
    super(message);
  }
}
