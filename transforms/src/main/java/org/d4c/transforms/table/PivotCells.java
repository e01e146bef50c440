package org.d4c.transforms.table;

import java.util.Arrays;
import java.util.Objects;

/**
 * The cells one pivoted row has: (column key, value index) to value, sorted by column key text then value index.
 * Sparse on purpose: a geography lacks many characteristics, and the full column list is only known at the end.
 */
public final class PivotCells {
  private final String[] keys;
  private final int[] valueIndexes;
  private final Object[] values;

  public PivotCells(String[] keys, int[] valueIndexes, Object[] values) {
    if (keys.length != valueIndexes.length || keys.length != values.length) {
      throw new IllegalArgumentException("cells of unequal length");
    }
    this.keys = keys;
    this.valueIndexes = valueIndexes;
    this.values = values;
  }

  /** The value of the cell (column key, value field), or null when there is none. */
  public Object get(String key, int valueIndex) {
    for (int i = 0; i < keys.length; i++) {
      if (valueIndexes[i] == valueIndex && keys[i].equals(key)) {
        return values[i];
      }
    }
    return null;
  }

  public int size() {
    return keys.length;
  }

  public String key(int i) {
    return keys[i];
  }

  public int valueIndex(int i) {
    return valueIndexes[i];
  }

  public Object value(int i) {
    return values[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PivotCells c && Arrays.equals(keys, c.keys) && Arrays.equals(valueIndexes, c.valueIndexes)
        && Arrays.deepEquals(values, c.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(keys), Arrays.hashCode(valueIndexes));
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("PivotCells{");
    for (int i = 0; i < keys.length; i++) {
      b.append(i == 0 ? "" : ", ").append(keys[i]).append('#').append(valueIndexes[i]).append('=').append(values[i]);
    }
    return b.append('}').toString();
  }
}
