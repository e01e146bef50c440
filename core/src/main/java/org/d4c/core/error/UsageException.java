package org.d4c.core.error;

/** A bad option value or combination found after parsing (exit 2), e.g. {@code --runner flink} without a job jar. */
public class UsageException extends D4cException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(ExitCode.BAD_INPUT, message);
  }
}
