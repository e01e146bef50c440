package org.d4c.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what a child process said: the tests start seeders and monitors and wait for the port they announce. */
public final class ProcessOutput {
  private ProcessOutput() {}

  /**
   * Waits until {@code out} (filled by a thread copying the child's output) matches {@code regex}; returns its first
   * group. Fails with everything the child said when it does not appear within {@code seconds}.
   */
  public static String await(StringBuffer out, String regex, int seconds) throws InterruptedException {
    Pattern pt = Pattern.compile(regex);
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      Matcher mm = pt.matcher(out);
      if (mm.find()) return mm.group(1);
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + regex + "' within " + seconds + " s:\n" + out);
  }
}
