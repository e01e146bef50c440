package org.d4c.core.error;

/** The exit codes every d4c command and the seeder share; the README's table lists the same. */
public enum ExitCode {
  OK(0, "ok"),
  /** Something failed that running the command again may fix (a network error, a mirror down mid-upload). */
  FAILED(1, "failure; run it again (it resumes)"),
  /** A bad command line, recipe, manifest, mirror file or catalog: running it again will not help. */
  BAD_INPUT(2, "bad command line, recipe, manifest, mirror file or catalog"),
  /** A source cannot be fetched, has other bytes than locked, or cannot be read. */
  SOURCE_PROBLEM(3, "source problem (fetch, hash, corrupt file, missing layer, zip-slip, zip bomb)"),
  TOO_MANY_REJECTS(4, "too many rejected records"),
  NOT_REPRODUCED(5, "reproduce found different bytes"),
  NOT_VERIFIED(6, "a file is missing or different on a mirror");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }
}
