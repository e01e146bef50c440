package org.d4c.publisher.mirror;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

import java.util.List;

/** A mirror file that is wrong, or a mirror that refused or lost something; the message says which and what to do. */
public class MirrorException extends D4cException {
  private final List<String> problems;

  public MirrorException(String where, List<String> problems) {
    this(ExitCode.BAD_INPUT, where, problems);
  }

  /** {@code code}: {@link ExitCode#FAILED} when running again may help (the mirror down, the network gone mid-upload). */
  public MirrorException(ExitCode code, String where, List<String> problems) {
    super(code, (where == null ? "" : where + ": ") + String.join(where == null ? "; " : "\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public MirrorException(ExitCode code, String where, String problem) {
    this(code, where, List.of(problem));
  }

  /** An unreachable or failing store: retrying may help. */
  public static MirrorException transientFailure(String where, String problem) {
    return new MirrorException(ExitCode.FAILED, where, problem);
  }

  public MirrorException(String where, String problem) {
    this(where, List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }
}
