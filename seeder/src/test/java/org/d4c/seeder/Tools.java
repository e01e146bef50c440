package org.d4c.seeder;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A tool a test needs: skipped with a message on a developer machine, a failure in CI ({@code CI=true}). */
public final class Tools {
  private Tools() {}

  public static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  public static void require(boolean present, String message) {
    if (present) return;
    if (ci()) fail(message + " (CI=true: a missing tool fails the test; ./d4c test installs it)");
    assumeTrue(false, message);
  }
}
