package org.d4c.core.error;

/**
 * The base of every error d4c reports to a user: its message is one line (or a list of problems) that names the file
 * and field and says what was expected, and it carries the exit code the command ends with.
 */
public class D4cException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient ExitCode exitCode;

  public D4cException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public D4cException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode == null ? ExitCode.FAILED : exitCode;
  }

  /** The exit code for any throwable: the first d4c error in its cause chain decides, anything else is a failure. */
  public static ExitCode exitCodeOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof D4cException d) return d.exitCode();
    }
    return ExitCode.FAILED;
  }

  /** The message to print for any throwable: the d4c error's own, else the first non-empty one, else the type. */
  public static String messageOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof D4cException && t.getMessage() != null) return t.getMessage();
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) return t.getMessage();
    }
    return e.getClass().getSimpleName();
  }
}
