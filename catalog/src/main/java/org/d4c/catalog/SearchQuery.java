package org.d4c.catalog;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A search over a catalog, with the semantics of STAC API item search: {@code bbox} (W,S,E,N in OGC:CRS84; W > E
 * crosses the antimeridian) intersects the item footprint; {@code datetime} (one instant, or {@code start/end} with
 * {@code ..} for an open end; a date alone is a whole UTC day) intersects the item's datetime or start/end range;
 * {@code collections} is any of; {@code q} is free text (OGC API Features part 9 style): terms separated by spaces
 * must all appear, comma-separated groups are alternatives, "double quotes" keep a phrase; matched case-insensitively
 * in the id, collection, title, description and keywords.
 */
public record SearchQuery(double[] bbox, Instant start, Instant end, List<String> collections, List<List<String>> text,
    int limit) {
  public static final int DEFAULT_LIMIT = 100;

  public SearchQuery {
    collections = collections == null ? List.of() : List.copyOf(collections);
    text = text == null ? List.of() : text.stream().map(List::copyOf).toList();
    if (limit < 1) throw new CatalogException("--limit", "must be at least 1, got " + limit);
  }

  public static SearchQuery all() {
    return new SearchQuery(null, null, null, List.of(), List.of(), DEFAULT_LIMIT);
  }

  /** Parses the command-line forms; every mistake is a CatalogException naming the option. */
  public static SearchQuery parse(String bbox, String datetime, List<String> collections, String q, int limit) {
    double[] box = bbox == null ? null : parseBbox(bbox);
    Instant[] range = datetime == null ? new Instant[2] : parseDatetime(datetime);
    List<String> cols = new ArrayList<>();
    if (collections != null) {
      for (String c : collections) for (String p : c.split(",")) if (!p.isBlank()) cols.add(p.trim());
    }
    return new SearchQuery(box, range[0], range[1], cols, q == null ? List.of() : parseText(q), limit);
  }

  static double[] parseBbox(String s) {
    String[] p = s.split(",");
    if (p.length != 4) throw new CatalogException("--bbox", "expected W,S,E,N (4 numbers in degrees), got \"" + s + "\"");
    double[] b = new double[4];
    for (int i = 0; i < 4; i++) {
      try {
        b[i] = Double.parseDouble(p[i].trim());
      } catch (NumberFormatException e) {
        throw new CatalogException("--bbox", "\"" + p[i].trim() + "\" is not a number");
      }
      if (!Double.isFinite(b[i])) throw new CatalogException("--bbox", "not a finite number: " + p[i].trim());
    }
    if (b[0] < -180 || b[2] > 180 || b[0] > 180 || b[2] < -180) throw new CatalogException("--bbox", "longitudes must be in [-180, 180], got \"" + s + "\"");
    if (b[1] < -90 || b[3] > 90) throw new CatalogException("--bbox", "latitudes must be in [-90, 90], got \"" + s + "\"");
    if (b[1] > b[3]) throw new CatalogException("--bbox", "south " + b[1] + " is north of north " + b[3]);
    return b;
  }

  static Instant[] parseDatetime(String s) {
    String[] p = s.split("/", -1);
    if (p.length > 2) throw new CatalogException("--datetime", "expected an instant or START/END, got \"" + s + "\"");
    if (p.length == 1) {
      if (p[0].equals("..")) throw new CatalogException("--datetime", "\"..\" needs a range: START/.. or ../END");
      return new Instant[] {bound(p[0], false), bound(p[0], true)};
    }
    Instant a = p[0].isEmpty() || p[0].equals("..") ? null : bound(p[0], false);
    Instant b = p[1].isEmpty() || p[1].equals("..") ? null : bound(p[1], true);
    if (a != null && b != null && a.isAfter(b)) throw new CatalogException("--datetime", "the start is after the end in \"" + s + "\"");
    return new Instant[] {a, b};
  }

  private static Instant bound(String v, boolean end) {
    try {
      if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
        LocalDate d = LocalDate.parse(v);
        return end ? d.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusNanos(1000) : d.atStartOfDay().toInstant(ZoneOffset.UTC);
      }
      if (v.matches("\\d{4}")) {
        int y = Integer.parseInt(v);
        return end ? LocalDate.of(y + 1, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC).minusNanos(1000)
            : LocalDate.of(y, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
      }
    } catch (java.time.DateTimeException e) {
      throw new CatalogException("--datetime", "not a date: \"" + v + "\"");
    }
    Instant t = CatalogParquet.parseInstant(v);
    if (t == null) throw new CatalogException("--datetime", "expected YYYY, YYYY-MM-DD or an RFC 3339 date-time, got \"" + v + "\"");
    return t;
  }

  /** "a b, "c d"" -> [[a, b], [c d]]: alternatives of all-required terms, lowercased. */
  static List<List<String>> parseText(String q) {
    List<List<String>> groups = new ArrayList<>();
    List<String> terms = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i <= q.length(); i++) {
      char c = i < q.length() ? q.charAt(i) : ',';
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (Character.isWhitespace(c) || c == ',')) {
        if (cur.length() > 0) terms.add(cur.toString().toLowerCase(java.util.Locale.ROOT));
        cur.setLength(0);
        if (c == ',' && !terms.isEmpty()) {
          groups.add(terms);
          terms = new ArrayList<>();
        }
      } else {
        cur.append(c);
      }
    }
    if (quoted) throw new CatalogException("--q", "unbalanced double quote in \"" + q + "\"");
    if (groups.isEmpty()) throw new CatalogException("--q", "no search terms in \"" + q + "\"");
    return groups;
  }
}
