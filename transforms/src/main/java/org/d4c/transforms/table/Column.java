package org.d4c.transforms.table;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import org.d4c.transforms.feature.FieldType;

/**
 * One column of a table as the steps see it. A {@link Kind#TYPED} column holds values of its {@link FieldType}; an
 * {@link Kind#INFERRED} column holds text or numbers whose final type is settled from every value that reaches the
 * output ({@link TableShape}); a {@link Kind#PIVOT} column is the block of columns a pivot makes, one slot holding a
 * {@link PivotCells}, expanded into real columns when the table is written.
 *
 * @param pivotValues for a pivot block: the value fields, in recipe order
 * @param pivotPattern for a pivot block: the name pattern with {@code {column}} and {@code {value}}
 */
public record Column(String name, FieldType type, Kind kind, List<String> pivotValues, String pivotPattern)
    implements Serializable {
  public enum Kind { TYPED, INFERRED, PIVOT }

  public Column {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    pivotValues = pivotValues == null ? List.of() : List.copyOf(pivotValues);
  }

  public static Column typed(String name, FieldType type) {
    return new Column(name, type, Kind.TYPED, null, null);
  }

  public static Column inferred(String name) {
    return new Column(name, FieldType.STRING, Kind.INFERRED, null, null);
  }

  public static Column pivot(String name, List<String> values, String pattern) {
    return new Column(name, FieldType.STRING, Kind.PIVOT, values, pattern);
  }

  public Column renamed(String newName) {
    return new Column(newName, type, kind, pivotValues, pivotPattern);
  }

  public boolean isPivot() {
    return kind == Kind.PIVOT;
  }

  /** The name of one expanded pivot column. */
  public String pivotName(String columnKey, int valueIndex) {
    return pivotPattern.replace("{column}", columnKey).replace("{value}", pivotValues.get(valueIndex));
  }
}
