package org.d4c.publisher.mirror;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

import java.util.List;

/** A mirror file that is wrong, or a mirror that refused or lost something; the message says which and what to do. */
public class MirrorException extends D4cException {
  private final List<String> problems;

  public MirrorException(String where, List<String> problems) {
    super(ExitCode.BAD_INPUT, (where == null ? "" : where + ": ") + String.join(where == null ? "; " : "\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public MirrorException(String where, String problem) {
    this(where, List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }
}
