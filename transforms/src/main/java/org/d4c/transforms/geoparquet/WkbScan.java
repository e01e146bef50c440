package org.d4c.transforms.geoparquet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the writer needs of a geometry it gets as WKB — its type and bounding box — read by walking the bytes, without
 * building JTS objects. Only the WKB d4c itself writes is taken (2D, little-endian, types 1 to 7, no NaN but in an
 * empty point); anything else returns null and the caller decodes the geometry with JTS instead, so the answer is
 * always the one JTS would give.
 */
final class WkbScan {
  static final String[] TYPE_NAMES = {null, "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
      "GeometryCollection"};

  /** The outer type's name, and the box {xmin, ymin, xmax, ymax} (null for an empty geometry). */
  record Info(String type, double[] box) {}

  private final ByteBuffer b;
  private double xmin = Double.POSITIVE_INFINITY, ymin = Double.POSITIVE_INFINITY;
  private double xmax = Double.NEGATIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
  private boolean any;

  private WkbScan(byte[] wkb) {
    this.b = ByteBuffer.wrap(wkb).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Null when the bytes are not WKB as d4c writes it. */
  static Info scan(byte[] wkb) {
    WkbScan s = new WkbScan(wkb);
    try {
      int type = s.geometry(0);
      if (type < 0 || s.b.hasRemaining()) return null;
      return new Info(TYPE_NAMES[type], s.any ? new double[] {s.xmin, s.ymin, s.xmax, s.ymax} : null);
    } catch (RuntimeException e) { // short or malformed: let JTS say what is wrong
      return null;
    }
  }

  /** Reads one geometry; returns its type (1..7) or -1 when it is not one this class takes. */
  private int geometry(int depth) {
    if (depth > 32 || b.get() != 1) return -1;
    int type = b.getInt();
    if (type < 1 || type > 7) return -1;
    switch (type) {
      case 1 -> {
        double x = b.getDouble(), y = b.getDouble();
        if (Double.isNaN(x) && Double.isNaN(y)) return type; // POINT EMPTY
        if (!add(x, y)) return -1;
      }
      case 2 -> {
        if (!points(b.getInt(), true)) return -1;
      }
      case 3 -> {
        int rings = b.getInt();
        if (rings < 0) return -1;
        // JTS bounds a polygon by its shell alone (a hole outside it, in an invalid polygon, does not count)
        for (int r = 0; r < rings; r++) if (!points(b.getInt(), r == 0)) return -1;
      }
      default -> {
        int n = b.getInt();
        if (n < 0) return -1;
        for (int i = 0; i < n; i++) {
          int t = geometry(depth + 1);
          if (t < 0 || type != 7 && t != type - 3) return -1;
        }
      }
    }
    return type;
  }

  private boolean points(int n, boolean bound) {
    if (n < 0 || (long) n * 16 > b.remaining()) return false;
    for (int i = 0; i < n; i++) {
      double x = b.getDouble(), y = b.getDouble();
      if (Double.isNaN(x) || Double.isNaN(y)) return false;
      if (bound) add(x, y);
    }
    return true;
  }

  private boolean add(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) return false;
    any = true;
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
    return true;
  }
}
