package org.d4c.publisher.mirror;

import java.util.Map;
import java.util.function.Function;

/**
 * Reads the secrets a mirror file names. Values come from the environment only (or a credentials file the SDK
 * reads); messages name the variable, never its value.
 */
public final class Credentials {
  private final Function<String, String> env;

  public Credentials(Function<String, String> env) {
    this.env = env;
  }

  /** The process environment. */
  public static Credentials fromEnvironment() {
    return new Credentials(System::getenv);
  }

  /** A fixed map (tests, embedded mirrors). */
  public static Credentials of(Map<String, String> values) {
    return new Credentials(values::get);
  }

  /** The value of {@code variable}, or a {@link MirrorException} saying to set it. */
  public String require(String mirrorId, String field, String variable) {
    String v = env.apply(variable);
    if (v == null || v.isEmpty()) {
      throw new MirrorException("mirror " + mirrorId, "the environment variable " + variable + " (named by " + field
          + " in the mirror file) is not set; export it, e.g. `export " + variable + "=...`, and run again");
    }
    return v;
  }

  @Override
  public String toString() {
    return "Credentials[from the environment]";
  }
}
