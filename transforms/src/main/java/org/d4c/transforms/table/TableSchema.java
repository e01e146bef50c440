package org.d4c.transforms.table;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.d4c.transforms.feature.FeatureSchema;
import org.d4c.transforms.feature.Field;

/**
 * The columns of rows between steps, positionally matching {@code Feature.values()}, and whether rows carry a
 * geometry. Known before the pipeline runs, so a step that names a missing field fails before any data is read; only
 * the columns inside a pivot block and the final types of inferred columns are settled from the data.
 */
public final class TableSchema implements Serializable {
  private static final long serialVersionUID = 1L;
  private final List<Column> columns;
  private final boolean geometry;

  public TableSchema(List<Column> columns, boolean geometry) {
    this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
    this.geometry = geometry;
    for (int i = 0; i < this.columns.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (this.columns.get(i).name().equals(this.columns.get(j).name())) {
          throw new IllegalArgumentException("two columns would be named '" + this.columns.get(i).name()
              + "'; rename one (or give the join a prefix)");
        }
      }
    }
  }

  /** Every field of a typed feature schema (an OGR layer) as a typed column. */
  public static TableSchema of(FeatureSchema schema, boolean geometry) {
    List<Column> cols = new ArrayList<>();
    for (Field f : schema.fields()) {
      cols.add(Column.typed(f.name(), f.type()));
    }
    return new TableSchema(cols, geometry);
  }

  public List<Column> columns() {
    return columns;
  }

  public boolean hasGeometry() {
    return geometry;
  }

  public int size() {
    return columns.size();
  }

  public Column column(int i) {
    return columns.get(i);
  }

  public int indexOf(String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The position of a named column that a step can read.
   *
   * @throws IllegalArgumentException naming the field and the columns there are
   */
  public int require(String name) {
    int i = indexOf(name);
    if (i < 0 || columns.get(i).isPivot()) {
      throw new IllegalArgumentException("no field '" + name + "' here; the rows have " + names()
          + (hasPivot() ? " (a pivot's columns are named by its pattern, e.g. " + pivotExample() + "; filter and compute"
          + " can read them, key fields cannot be pivot columns)" : ""));
    }
    return i;
  }

  /** A cell of a pivot block, named the way the pivot names its columns: block position, column key, value field. */
  public record PivotCell(int block, String columnKey, int valueIndex) implements Serializable {
    /** The cell's value in a row, or null when the row has no such cell. */
    public Object of(org.d4c.transforms.feature.Feature f) {
      return f.value(block) instanceof PivotCells cells ? cells.get(columnKey, valueIndex) : null;
    }
  }

  /**
   * The pivot cell that {@code name} names, when it has the form of a pivot's column names ({@code count_total_1} for
   * the pattern {@code {value}_{column}} and value field {@code count_total}); null otherwise. Which column keys exist
   * is known only from the data: a well-formed name whose key never occurs reads as null.
   */
  public PivotCell pivotCell(String name) {
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      if (!c.isPivot()) {
        continue;
      }
      for (int v = 0; v < c.pivotValues().size(); v++) {
        String p = c.pivotPattern().replace("{value}", c.pivotValues().get(v));
        int at = p.indexOf("{column}");
        if (at < 0 || p.indexOf("{column}", at + 1) >= 0) {
          continue;
        }
        String prefix = p.substring(0, at);
        String suffix = p.substring(at + "{column}".length());
        if (name.length() > prefix.length() + suffix.length() && name.startsWith(prefix) && name.endsWith(suffix)) {
          return new PivotCell(i, name.substring(prefix.length(), name.length() - suffix.length()), v);
        }
      }
    }
    return null;
  }

  public int[] require(List<String> names) {
    int[] idx = new int[names.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = require(names.get(i));
    }
    return idx;
  }

  private String pivotExample() {
    for (Column c : columns) {
      if (c.isPivot() && !c.pivotValues().isEmpty()) {
        return c.pivotName("{column}", 0);
      }
    }
    return "";
  }

  public boolean hasPivot() {
    return columns.stream().anyMatch(Column::isPivot);
  }

  public List<String> names() {
    return columns.stream().map(Column::name).toList();
  }

  public TableSchema withColumns(List<Column> cols) {
    return new TableSchema(cols, geometry);
  }

  public TableSchema withGeometry(boolean g) {
    return new TableSchema(columns, g);
  }

  /** This schema with more columns at the end. */
  public TableSchema plus(List<Column> more) {
    List<Column> all = new ArrayList<>(columns);
    all.addAll(more);
    return new TableSchema(all, geometry);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TableSchema t && t.columns.equals(columns) && t.geometry == geometry;
  }

  @Override
  public int hashCode() {
    return columns.hashCode() * 31 + Boolean.hashCode(geometry);
  }

  @Override
  public String toString() {
    return "TableSchema" + columns + (geometry ? "+geometry" : "");
  }
}
