package org.d4c.transforms.feature;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The attribute columns of a feature collection, in output order. The geometry is not a field: every feature has
 * exactly one, written to the column named by {@link #geometryColumn()}.
 */
public final class FeatureSchema implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<Field> fields;
  private final String geometryColumn;

  public FeatureSchema(List<Field> fields, String geometryColumn) {
    this(fields, geometryColumn, true);
  }

  /**
   * The fields of a source as it has them: one may be named like the output's geometry or bbox column, since the
   * recipe can still rename or drop it ({@link SelectFields} builds the output schema, which is checked).
   */
  public static FeatureSchema ofSource(List<Field> fields) {
    return new FeatureSchema(fields, "geometry", false);
  }

  private FeatureSchema(List<Field> fields, String geometryColumn, boolean output) {
    this.fields = Collections.unmodifiableList(new ArrayList<>(fields));
    this.geometryColumn = geometryColumn;
    for (int i = 0; i < this.fields.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (this.fields.get(i).name().equals(this.fields.get(j).name())) {
          throw new IllegalArgumentException("duplicate field name '" + this.fields.get(i).name() + "'");
        }
      }
      String name = this.fields.get(i).name();
      if (output && (name.equals(geometryColumn) || name.equals("bbox"))) {
        throw new IllegalArgumentException("field name '" + name + "' clashes with the geometry or bbox column;"
            + " rename it in the recipe (rename: {" + name + ": source_" + name + "}) or leave it out of select");
      }
    }
  }

  public FeatureSchema(List<Field> fields) {
    this(fields, "geometry");
  }

  public List<Field> fields() {
    return fields;
  }

  public String geometryColumn() {
    return geometryColumn;
  }

  public int size() {
    return fields.size();
  }

  public Field field(int index) {
    return fields.get(index);
  }

  /** Index of the named field, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSchema other && fields.equals(other.fields) && geometryColumn.equals(other.geometryColumn);
  }

  @Override
  public int hashCode() {
    return fields.hashCode() * 31 + geometryColumn.hashCode();
  }

  @Override
  public String toString() {
    return "FeatureSchema" + fields;
  }
}
