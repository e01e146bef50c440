package org.d4c.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Interop tests need outside tools (aria2c, python3-libtorrent, the job jar, opentracker, chromium). On a developer's
 * machine a missing one skips the test with the command that installs it; with {@code CI=true}, or under
 * {@code ./d4c test} (which installs them and sets {@code D4C_REQUIRE_TOOLS=true}), it fails the run: a green run must
 * mean the tests ran.
 */
public final class Tools {
  private Tools() {}

  public static void require(boolean present, String whatIsMissingAndHowToGetIt) {
    if (present) return;
    if ("true".equalsIgnoreCase(System.getenv("CI")) || "true".equalsIgnoreCase(System.getenv("D4C_REQUIRE_TOOLS"))) {
      Assertions.fail("interop tools are required here (CI or ./d4c test), but " + whatIsMissingAndHowToGetIt);
    }
    Assumptions.assumeTrue(false, whatIsMissingAndHowToGetIt);
  }
}
