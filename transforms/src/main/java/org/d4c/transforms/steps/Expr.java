package org.d4c.transforms.steps;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.table.TableSchema;
import org.d4c.transforms.table.Values;
import org.locationtech.jts.geom.Geometry;

/**
 * A small SQL-like expression language for {@code filter} and {@code compute}: field names (bare or
 * {@code "quoted"}), numbers, {@code 'text'}, {@code NULL}, {@code TRUE}/{@code FALSE}; {@code + - * / %},
 * {@code ||} (concatenation); {@code = <> != < <= > >=}, {@code IS [NOT] NULL}, {@code [NOT] IN (...)},
 * {@code [NOT] LIKE}, {@code BETWEEN}, {@code AND OR NOT}; functions {@code coalesce}, {@code upper}, {@code lower},
 * {@code trim}, {@code substr}, {@code length}, {@code round}, {@code abs}, {@code cast(x AS integer|double|text)},
 * {@code area_m2()}, {@code length_m()} (on the WGS 84 ellipsoid). Comparisons and arithmetic with NULL give NULL,
 * as in SQL; text that is a number compares as a number. Field names are resolved when the recipe is planned.
 */
public abstract class Expr implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Evaluates on a row; {@link NumberFormatException} or {@link IllegalArgumentException} reject the row. */
  public abstract Object eval(Feature f);

  /** Parses {@code text} against the columns of {@code schema}; {@code measure} gives area and length. */
  public static Expr parse(String text, TableSchema schema, Measure measure) {
    Parser p = new Parser(text, schema, measure);
    Expr e = p.or();
    p.skip();
    if (p.pos < text.length()) {
      throw p.error("unexpected \"" + text.substring(p.pos) + "\"");
    }
    return e;
  }

  /** Geodesic measures of geometries in the output CRS. */
  public interface Measure extends Serializable {
    double area(Geometry g);

    double length(Geometry g);
  }

  static boolean truthy(Object v) {
    return v instanceof Boolean b && b;
  }

  static int compare(Object a, Object b) {
    boolean an = a instanceof Number || (a instanceof String s && (Values.isInteger(s) || Values.isDecimal(s)));
    boolean bn = b instanceof Number || (b instanceof String s && (Values.isInteger(s) || Values.isDecimal(s)));
    if (an && bn) {
      return Double.compare(Values.number(a).doubleValue(), Values.number(b).doubleValue());
    }
    return Values.canonical(a).compareTo(Values.canonical(b));
  }

  private static final class Parser {
    final String s;
    final TableSchema schema;
    final Measure measure;
    int pos;

    Parser(String s, TableSchema schema, Measure measure) {
      this.s = s;
      this.schema = schema;
      this.measure = measure;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("cannot read the expression \"" + s + "\" at character " + (pos + 1) + ": "
          + what);
    }

    void skip() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    boolean word(String w) {
      skip();
      int end = pos + w.length();
      if (end <= s.length() && s.regionMatches(true, pos, w, 0, w.length())
          && (end == s.length() || !Character.isLetterOrDigit(s.charAt(end)) && s.charAt(end) != '_')) {
        pos = end;
        return true;
      }
      return false;
    }

    boolean sym(String t) {
      skip();
      if (s.startsWith(t, pos)) {
        pos += t.length();
        return true;
      }
      return false;
    }

    Expr or() {
      Expr l = and();
      while (word("OR")) {
        Expr a = l, b = and();
        l = new Fn(f -> {
          Object x = a.eval(f), y = b.eval(f);
          if (truthy(x) || truthy(y)) return true;
          return x == null || y == null ? null : false;
        });
      }
      return l;
    }

    Expr and() {
      Expr l = not();
      while (word("AND")) {
        Expr a = l, b = not();
        l = new Fn(f -> {
          Object x = a.eval(f), y = b.eval(f);
          if (Boolean.FALSE.equals(x) || Boolean.FALSE.equals(y)) return false;
          return x == null || y == null ? null : true;
        });
      }
      return l;
    }

    Expr not() {
      if (word("NOT")) {
        Expr e = not();
        return new Fn(f -> {
          Object v = e.eval(f);
          return v == null ? null : !truthy(v);
        });
      }
      return cmp();
    }

    Expr cmp() {
      Expr l = add();
      if (word("IS")) {
        boolean neg = word("NOT");
        if (!word("NULL")) throw error("expected NULL after IS");
        return new Fn(f -> (l.eval(f) == null) != neg);
      }
      boolean neg = word("NOT");
      if (word("IN")) {
        if (!sym("(")) throw error("expected ( after IN");
        List<Expr> items = new ArrayList<>();
        do {
          items.add(add());
        } while (sym(","));
        if (!sym(")")) throw error("expected )");
        return new Fn(f -> {
          Object v = l.eval(f);
          if (v == null) return null;
          for (Expr i : items) {
            Object w = i.eval(f);
            if (w != null && compare(v, w) == 0) return !neg;
          }
          return neg;
        });
      }
      if (word("LIKE")) {
        Expr r = add();
        return new Fn(f -> {
          Object v = l.eval(f), p = r.eval(f);
          if (v == null || p == null) return null;
          String regex = "\\Q" + p.toString().replace("%", "\\E.*\\Q").replace("_", "\\E.\\Q") + "\\E";
          return Values.canonical(v).matches(regex) != neg;
        });
      }
      if (word("BETWEEN")) {
        Expr lo = add();
        if (!word("AND")) throw error("expected AND in BETWEEN");
        Expr hi = add();
        return new Fn(f -> {
          Object v = l.eval(f), a = lo.eval(f), b = hi.eval(f);
          if (v == null || a == null || b == null) return null;
          return (compare(v, a) >= 0 && compare(v, b) <= 0) != neg;
        });
      }
      if (neg) throw error("expected IN, LIKE or BETWEEN after NOT");
      for (String op : new String[] {"<>", "!=", "<=", ">=", "==", "=", "<", ">"}) {
        if (sym(op)) {
          Expr r = add();
          return new Fn(f -> {
            Object a = l.eval(f), b = r.eval(f);
            if (a == null || b == null) return null;
            int c = compare(a, b);
            return switch (op) {
              case "<>", "!=" -> c != 0;
              case "<=" -> c <= 0;
              case ">=" -> c >= 0;
              case "<" -> c < 0;
              case ">" -> c > 0;
              default -> c == 0;
            };
          });
        }
      }
      return l;
    }

    Expr add() {
      Expr l = mul();
      while (true) {
        String op = sym("||") ? "||" : sym("+") ? "+" : sym("-") ? "-" : null;
        if (op == null) return l;
        Expr a = l, b = mul();
        l = new Fn(f -> {
          Object x = a.eval(f), y = b.eval(f);
          if (x == null || y == null) return null;
          if (op.equals("||")) return Values.canonical(x) + Values.canonical(y);
          return arith(op, x, y);
        });
      }
    }

    Expr mul() {
      Expr l = unary();
      while (true) {
        String op = sym("*") ? "*" : sym("/") ? "/" : sym("%") ? "%" : null;
        if (op == null) return l;
        Expr a = l, b = unary();
        l = new Fn(f -> {
          Object x = a.eval(f), y = b.eval(f);
          return x == null || y == null ? null : arith(op, x, y);
        });
      }
    }

    Expr unary() {
      if (sym("-")) {
        Expr e = unary();
        return new Fn(f -> {
          Object v = e.eval(f);
          return v == null ? null : arith("-", 0L, v);
        });
      }
      return primary();
    }

    Expr primary() {
      skip();
      if (pos >= s.length()) throw error("unexpected end");
      char c = s.charAt(pos);
      if (sym("(")) {
        Expr e = or();
        if (!sym(")")) throw error("expected )");
        return e;
      }
      if (c == '\'') {
        StringBuilder b = new StringBuilder();
        pos++;
        while (true) {
          if (pos >= s.length()) throw error("unterminated text");
          char ch = s.charAt(pos++);
          if (ch == '\'') {
            if (pos < s.length() && s.charAt(pos) == '\'') {
              b.append('\'');
              pos++;
            } else {
              break;
            }
          } else {
            b.append(ch);
          }
        }
        String v = b.toString();
        return new Fn(f -> v);
      }
      if (Character.isDigit(c) || c == '.') {
        int start = pos;
        while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == 'e'
            || s.charAt(pos) == 'E')) pos++;
        Number n = Values.number(s.substring(start, pos));
        return new Fn(f -> n);
      }
      if (word("NULL")) return new Fn(f -> null);
      if (word("TRUE")) return new Fn(f -> true);
      if (word("FALSE")) return new Fn(f -> false);
      String name;
      if (c == '"') {
        int end = s.indexOf('"', pos + 1);
        if (end < 0) throw error("unterminated \"name\"");
        name = s.substring(pos + 1, end);
        pos = end + 1;
      } else {
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '+')) pos++;
        if (start == pos) throw error("unexpected \"" + c + "\"");
        name = s.substring(start, pos);
      }
      if (sym("(")) return function(name.toLowerCase(Locale.ROOT));
      int i;
      try {
        i = schema.require(name);
      } catch (IllegalArgumentException e) {
        TableSchema.PivotCell cell = schema.pivotCell(name);
        if (cell != null) {
          return new Fn(cell::of);
        }
        throw new IllegalArgumentException("the expression \"" + s + "\" names " + e.getMessage().substring(3));
      }
      return new Fn(f -> f.value(i));
    }

    Expr function(String name) {
      if (name.equals("cast")) {
        Expr e = or();
        if (!word("AS")) throw error("expected AS in cast");
        String type = identifier().toLowerCase(Locale.ROOT);
        if (!sym(")")) throw error("expected )");
        return switch (type) {
          case "integer", "int", "bigint" -> new Fn(f -> {
            Object v = e.eval(f);
            return v == null ? null : Values.number(v) instanceof Long l ? l : (Object) Math.round(Values.number(v).doubleValue());
          });
          case "double", "real", "float" -> new Fn(f -> {
            Object v = e.eval(f);
            return v == null ? null : Values.number(v).doubleValue();
          });
          case "text", "varchar", "string" -> new Fn(f -> {
            Object v = e.eval(f);
            return v == null ? null : Values.canonical(v);
          });
          default -> throw error("cast to integer, double or text, not " + type);
        };
      }
      List<Expr> args = new ArrayList<>();
      if (!sym(")")) {
        do {
          args.add(or());
        } while (sym(","));
        if (!sym(")")) throw error("expected ) after the arguments of " + name);
      }
      Measure m = measure;
      return switch (name) {
        case "coalesce" -> new Fn(f -> {
          for (Expr a : args) {
            Object v = a.eval(f);
            if (v != null) return v;
          }
          return null;
        });
        case "upper" -> text(args, name, t -> t.toUpperCase(Locale.ROOT));
        case "lower" -> text(args, name, t -> t.toLowerCase(Locale.ROOT));
        case "trim" -> text(args, name, String::strip);
        case "length" -> new Fn(f -> {
          Object v = one(args, name).eval(f);
          return v == null ? null : (long) Values.canonical(v).codePointCount(0, Values.canonical(v).length());
        });
        case "substr" -> new Fn(f -> {
          Object v = args.get(0).eval(f);
          if (v == null) return null;
          String t = Values.canonical(v);
          int from = (int) Math.max(0, Values.number(args.get(1).eval(f)).longValue() - 1);
          int len = args.size() > 2 ? (int) Values.number(args.get(2).eval(f)).longValue() : t.length();
          return from >= t.length() ? "" : t.substring(from, Math.min(t.length(), from + len));
        });
        case "abs" -> new Fn(f -> {
          Object v = one(args, name).eval(f);
          if (v == null) return null;
          Number n = Values.number(v);
          return n instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(n.doubleValue());
        });
        case "round" -> new Fn(f -> {
          Object v = args.get(0).eval(f);
          if (v == null) return null;
          int digits = args.size() > 1 ? (int) Values.number(args.get(1).eval(f)).longValue() : 0;
          return new java.math.BigDecimal(Values.number(v).toString()).setScale(digits, java.math.RoundingMode.HALF_EVEN)
              .doubleValue();
        });
        case "area_m2" -> new Fn(f -> f.geometry() == null ? null : m.area(f.geometry()));
        case "length_m" -> new Fn(f -> f.geometry() == null ? null : m.length(f.geometry()));
        default -> throw error("unknown function " + name + "()");
      };
    }

    String identifier() {
      skip();
      int start = pos;
      while (pos < s.length() && Character.isLetter(s.charAt(pos))) pos++;
      return s.substring(start, pos);
    }

    Expr one(List<Expr> args, String name) {
      if (args.size() != 1) throw error(name + "() takes one argument");
      return args.get(0);
    }

    Expr text(List<Expr> args, String name, SerFn op) {
      Expr a = one(args, name);
      return new Fn(f -> {
        Object v = a.eval(f);
        return v == null ? null : op.apply(Values.canonical(v));
      });
    }
  }

  interface SerFn extends Serializable {
    String apply(String s);
  }

  interface Body extends Serializable {
    Object eval(Feature f);
  }

  static final class Fn extends Expr {
    private static final long serialVersionUID = 1L;
    private final Body body;

    Fn(Body body) {
      this.body = Objects.requireNonNull(body);
    }

    @Override
    public Object eval(Feature f) {
      return body.eval(f);
    }
  }

  static Object arith(String op, Object x, Object y) {
    Number a = Values.number(x), b = Values.number(y);
    if (a instanceof Long l && b instanceof Long r && !op.equals("/")) {
      try {
        return switch (op) {
          case "+" -> Math.addExact(l, r);
          case "-" -> Math.subtractExact(l, r);
          case "*" -> Math.multiplyExact(l, r);
          case "%" -> r == 0 ? null : l % r;
          default -> throw new IllegalStateException(op);
        };
      } catch (ArithmeticException e) {
        // past the range of a long: go on in double
      }
    }
    double p = a.doubleValue(), q = b.doubleValue();
    return switch (op) {
      case "+" -> p + q;
      case "-" -> p - q;
      case "*" -> p * q;
      case "/" -> q == 0 ? null : p / q;
      case "%" -> q == 0 ? null : p % q;
      default -> throw new IllegalStateException(op);
    };
  }
}
