package org.d4c.core.io;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as an operator writes them: {@code 500M}, {@code 10GiB}, {@code 2T}, {@code 1048576}. Units are binary (1K = 1024). */
public final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGTP]?)(I?B)?");

  private Sizes() {}

  public static long parse(String s) {
    Matcher m = SIZE.matcher(s.strip().toUpperCase(Locale.ROOT));
    if (!m.matches()) throw new IllegalArgumentException("not a size: '" + s + "' (examples: 500M, 10G, 2TiB, 1048576)");
    int shift = switch (m.group(2)) {
      case "" -> 0;
      case "K" -> 10;
      case "M" -> 20;
      case "G" -> 30;
      case "T" -> 40;
      default -> 50;
    };
    double v = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
    if (v > Long.MAX_VALUE / 2) throw new IllegalArgumentException("size too large: " + s);
    return (long) v;
  }

  public static String format(long bytes) {
    if (bytes < 1024) return bytes + " B";
    String[] u = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
  }
}
