package org.d4c.pipelines.build;

/** More records were rejected than the recipe's max_reject_fraction allows. */
public final class RejectsExceededException extends BuildException {
  private static final long serialVersionUID = 1L;

  public RejectsExceededException(String message) {
    super(org.d4c.core.error.ExitCode.TOO_MANY_REJECTS, message);
  }
}
