package org.d4c.catalog;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Semantic Versioning 2.0.0 precedence (build metadata ignored, then compared as text so the order is total). */
public final class Semver {
  private static final Pattern SEMVER = Pattern.compile(
      "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?");

  /** Lowest first; 1.0.0-rc.1 before 1.0.0 before 1.2.0 before 1.10.0. Non-semver strings sort first, by text. */
  public static final Comparator<String> ORDER = Semver::compare;

  private Semver() {}

  public static boolean isValid(String v) {
    return v != null && SEMVER.matcher(v).matches();
  }

  public static int compare(String a, String b) {
    Matcher x = SEMVER.matcher(a);
    Matcher y = SEMVER.matcher(b);
    boolean okx = x.matches();
    boolean oky = y.matches();
    if (!okx || !oky) {
      return okx == oky ? a.compareTo(b) : okx ? 1 : -1;
    }
    for (int i = 1; i <= 3; i++) {
      int c = new java.math.BigInteger(x.group(i)).compareTo(new java.math.BigInteger(y.group(i)));
      if (c != 0) return c;
    }
    int c = comparePre(x.group(4), y.group(4));
    if (c != 0) return c;
    return a.compareTo(b); // equal precedence (differ in build metadata only): still a total order
  }

  private static int comparePre(String a, String b) {
    if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1; // a release outranks its pre-releases
    String[] p = a.split("\\.");
    String[] q = b.split("\\.");
    for (int i = 0; i < Math.min(p.length, q.length); i++) {
      boolean np = p[i].matches("[0-9]+");
      boolean nq = q[i].matches("[0-9]+");
      int c = np && nq ? new java.math.BigInteger(p[i]).compareTo(new java.math.BigInteger(q[i]))
          : np ? -1 : nq ? 1 : p[i].compareTo(q[i]);
      if (c != 0) return c;
    }
    return Integer.compare(p.length, q.length);
  }
}
