package org.d4c.transforms.table;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.transforms.feature.Feature;

/**
 * What the values of each column turned out to be, over every row of an output: how many are not null, the
 * narrowest kind that holds them all (boolean, integer, double, text) and the integer range. Each worker gathers its
 * rows, then the partial statistics are merged; the order of merging does not matter.
 */
public final class ColumnStats implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Kinds in widening order; a boolean mixed with anything else is text. */
  static final int NONE = 0;
  static final int BOOL = 1;
  static final int INT = 2;
  static final int DOUBLE = 3;
  static final int TEXT = 4;

  /** Statistics of one column. */
  static final class Stat implements Serializable {
    private static final long serialVersionUID = 1L;
    long nonNull;
    int kind = NONE;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;

    void add(Object v) {
      if (v == null) {
        return;
      }
      nonNull++;
      int k;
      if (v instanceof Boolean) {
        k = BOOL;
      } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        k = INT;
        long l = ((Number) v).longValue();
        min = Math.min(min, l);
        max = Math.max(max, l);
      } else if (v instanceof Double || v instanceof Float) {
        k = DOUBLE;
      } else if (v instanceof String s) {
        if (Values.isInteger(s)) {
          k = INT;
          long l = Long.parseLong(s);
          min = Math.min(min, l);
          max = Math.max(max, l);
        } else if (Values.isDecimal(s)) {
          k = DOUBLE;
        } else {
          k = TEXT;
        }
      } else {
        k = TEXT;
      }
      kind = widen(kind, k);
    }

    void merge(Stat o) {
      nonNull += o.nonNull;
      kind = widen(kind, o.kind);
      min = Math.min(min, o.min);
      max = Math.max(max, o.max);
    }

    static int widen(int a, int b) {
      if (a == NONE) return b;
      if (b == NONE) return a;
      if (a == b) return a;
      if (a == BOOL || b == BOOL) return TEXT;
      return Math.max(a, b);
    }
  }

  final Stat[] columns;
  /** Per pivot block (by column position): "column key" to per-value-field statistics. */
  final Map<Integer, TreeMap<String, Stat[]>> pivots = new TreeMap<>();
  /** Per pivot block: the previous row's cell keys and their statistics, by position (see {@link #add}). */
  private transient Map<Integer, String[]> lastKeys;
  private transient Map<Integer, Stat[][]> lastStats;

  public ColumnStats(TableSchema schema) {
    columns = new Stat[schema.size()];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = new Stat();
      if (schema.column(i).isPivot()) {
        pivots.put(i, new TreeMap<>());
      }
    }
  }

  public void add(Feature f) {
    for (int i = 0; i < columns.length; i++) {
      Object v = f.value(i);
      if (v instanceof PivotCells cells) {
        TreeMap<String, Stat[]> block = pivots.get(i);
        // Consecutive wide rows mostly have the same cells in the same order: a cell is first looked for where the
        // previous row of this block had it (a string comparison instead of a tree search).
        if (lastKeys == null) {
          lastKeys = new java.util.HashMap<>();
          lastStats = new java.util.HashMap<>();
        }
        String[] before = lastKeys.get(i);
        Stat[][] beforeStats = lastStats.get(i);
        String[] keys = new String[cells.size()];
        Stat[][] stats = new Stat[cells.size()][];
        for (int c = 0; c < cells.size(); c++) {
          String key = cells.key(c);
          int vi = cells.valueIndex(c);
          Stat[] s = before != null && c < before.length && key.equals(before[c]) ? beforeStats[c] : null;
          if (s == null || s.length <= vi) {
            s = block.get(key);
            if (s == null) {
              s = new Stat[0];
            }
            if (s.length <= vi) {
              Stat[] grown = java.util.Arrays.copyOf(s, vi + 1);
              for (int j = s.length; j < grown.length; j++) grown[j] = new Stat();
              s = grown;
              block.put(key, s);
            }
          }
          keys[c] = key;
          stats[c] = s;
          s[vi].add(cells.value(c));
        }
        lastKeys.put(i, keys);
        lastStats.put(i, stats);
      } else {
        columns[i].add(v);
      }
    }
  }

  public ColumnStats merge(ColumnStats o) {
    lastKeys = null; // merging replaces statistics the positions point at
    lastStats = null;
    for (int i = 0; i < columns.length; i++) {
      columns[i].merge(o.columns[i]);
    }
    for (Map.Entry<Integer, TreeMap<String, Stat[]>> e : o.pivots.entrySet()) {
      TreeMap<String, Stat[]> mine = pivots.get(e.getKey());
      for (Map.Entry<String, Stat[]> c : e.getValue().entrySet()) {
        Stat[] s = mine.get(c.getKey());
        if (s == null) {
          mine.put(c.getKey(), c.getValue());
          continue;
        }
        int n = Math.max(s.length, c.getValue().length);
        Stat[] m = new Stat[n];
        for (int j = 0; j < n; j++) {
          m[j] = new Stat();
          if (j < s.length) m[j].merge(s[j]);
          if (j < c.getValue().length) m[j].merge(c.getValue()[j]);
        }
        mine.put(c.getKey(), m);
      }
    }
    return this;
  }
}
