package org.d4c.transforms.table;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.regex.Pattern;
import org.d4c.transforms.feature.Feature;

/**
 * How steps compare, join and order values that may come as text (CSV cells whose type is settled at the end) or as
 * numbers (typed sources): one canonical text per value for keys, one byte order for sorting, one number parser.
 */
public final class Values {
  /** Integer text in canonical form fitting a long (18 digits at most); {@link #isInteger} checks it by hand. */
  static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
  private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|-?\\.[0-9]+([eE][-+]?[0-9]+)?");

  private Values() {}

  /** True for the text of an integer in its canonical form (no sign but '-', no leading zeros), fitting a long. */
  public static boolean isInteger(String s) {
    // What INTEGER matches, without a regex: it runs on every cell whose type is not settled yet.
    int n = s.length();
    int i = n > 0 && s.charAt(0) == '-' ? 1 : 0;
    int digits = n - i;
    if (digits < 1 || digits > 18) return false;
    if (s.charAt(i) == '0') return digits == 1;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }

  public static boolean isDecimal(String s) {
    return DECIMAL.matcher(s).matches();
  }

  /**
   * The value as a number: a Long for integers (and integer text), a Double otherwise.
   *
   * @throws NumberFormatException when it is not a number (the message quotes it)
   */
  public static Number number(Object v) {
    if (v instanceof Long || v instanceof Double) {
      return (Number) v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1L : 0L;
    }
    if (v instanceof String s) {
      if (isInteger(s)) {
        return Long.parseLong(s);
      }
      if (isDecimal(s)) {
        return Double.parseDouble(s);
      }
    }
    throw new NumberFormatException("not a number: " + (v instanceof String ? "\"" + v + "\"" : String.valueOf(v)));
  }

  /** The canonical text of a value in a key: numbers in shortest decimal form, so text "42" joins integer 42. */
  public static String canonical(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return Long.toString(((Number) v).longValue());
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
        return Long.toString((long) d);
      }
      return Double.toString(d);
    }
    if (v instanceof byte[] b) {
      return java.util.HexFormat.of().formatHex(b);
    }
    return v.toString();
  }

  /** The key of a row over some columns, or null when one of them is null (a null key matches nothing). */
  public static String key(Feature f, int[] columns) {
    if (columns.length == 1) {
      return canonical(f.value(columns[0]));
    }
    StringBuilder b = new StringBuilder();
    for (int c : columns) {
      String s = canonical(f.value(c));
      if (s == null) {
        return null;
      }
      b.append(s.length()).append(':').append(s);
    }
    return b.toString();
  }

  /** Appends bytes whose unsigned order is the order of the values: nulls first, then numbers, then text. */
  public static void orderKey(Object v, ByteArrayOutputStream out) {
    if (v == null) {
      out.write(0);
      return;
    }
    Number n = null;
    if (v instanceof Number || v instanceof Boolean) {
      n = number(v);
    } else if (v instanceof String s && (isInteger(s) || isDecimal(s))) {
      n = number(s);
    } else if (v instanceof LocalDate d) {
      n = d.toEpochDay();
    } else if (v instanceof Instant t) {
      n = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
    if (n != null) {
      out.write(1);
      double d = n.doubleValue();
      long bits = Double.doubleToLongBits(d == 0.0 ? 0.0 : d);
      bits = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
      writeLong(out, bits);
      long exact = n instanceof Long l ? l : (long) d;
      writeLong(out, exact ^ Long.MIN_VALUE);
      return;
    }
    byte[] bytes = v instanceof byte[] b ? b : v.toString().getBytes(StandardCharsets.UTF_8);
    out.write(2);
    for (byte b : bytes) {
      out.write(b);
      if (b == 0) {
        out.write(1); // 0x00 inside text sorts after the terminator
      }
    }
    out.write(0);
    out.write(0);
  }

  /** Bytes ordering rows by some columns, then by where each row came from (source, then row id). */
  public static byte[] orderKey(Feature f, int[] columns) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32);
    for (int c : columns) {
      orderKey(f.value(c), out);
    }
    writeLong(out, ((long) f.source()) ^ Long.MIN_VALUE);
    writeLong(out, f.fid() ^ Long.MIN_VALUE);
    return out.toByteArray();
  }

  private static void writeLong(ByteArrayOutputStream out, long v) {
    for (int i = 56; i >= 0; i -= 8) {
      out.write((int) (v >>> i));
    }
  }

  /** Data order of rows: source, then row id (for CSV: member, then record number). */
  public static final Comparator<Feature> DATA_ORDER =
      Comparator.comparingInt(Feature::source).thenComparingLong(Feature::fid);

  /** Column keys of a pivot: numeric order when every key is a number, text order otherwise. */
  public static Comparator<String> columnKeyOrder(Iterable<String> keys) {
    boolean numeric = true;
    for (String k : keys) {
      numeric &= isInteger(k) || isDecimal(k);
    }
    if (numeric) {
      return Comparator.<String, Double>comparing(k -> number(k).doubleValue()).thenComparing(Comparator.naturalOrder());
    }
    return Comparator.naturalOrder();
  }
}
