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
          + (hasPivot() ? " (the columns a pivot makes are settled from the data and cannot be named by later steps)" : ""));
    }
    return i;
  }

  public int[] require(List<String> names) {
    int[] idx = new int[names.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = require(names.get(i));
    }
    return idx;
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
