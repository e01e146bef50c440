package org.d4c.transforms.table;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureSchema;
import org.d4c.transforms.feature.Field;
import org.d4c.transforms.feature.FieldType;

/**
 * The columns an output file gets, settled from the rows that reached it ({@link ColumnStats}): inferred columns take
 * the narrowest of boolean, integer, double and text that holds every value; pivot blocks become one column per
 * (column value, value field) in column order (numeric when all column values are numbers); with
 * {@code narrowTypes} integers take the smallest signed type that holds their range (floats are never narrowed);
 * with {@code dropEmpty} columns without a single value are left out.
 */
public final class TableShape implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Types of written columns. */
  public enum Type { BOOLEAN, INT8, INT16, INT32, INT64, FLOAT, DOUBLE, STRING, DATE, TIMESTAMP, BINARY }

  /** One written column: where its value comes from (a slot, or a cell of the pivot block in a slot). */
  public record Out(String name, Type type, int slot, String cellKey, int cellValue) implements Serializable {}

  private final List<Out> columns;
  private final boolean geometry;

  TableShape(List<Out> columns, boolean geometry) {
    this.columns = List.copyOf(columns);
    this.geometry = geometry;
  }

  public List<Out> columns() {
    return columns;
  }

  public boolean hasGeometry() {
    return geometry;
  }

  public static TableShape of(TableSchema schema, ColumnStats stats, boolean narrowTypes, boolean dropEmpty) {
    List<Out> out = new ArrayList<>();
    for (int i = 0; i < schema.size(); i++) {
      Column c = schema.column(i);
      if (c.isPivot()) {
        TreeMap<String, ColumnStats.Stat[]> block = stats.pivots.get(i);
        List<String> keys = new ArrayList<>(block.keySet());
        keys.sort(Values.columnKeyOrder(keys));
        for (String key : keys) {
          ColumnStats.Stat[] s = block.get(key);
          for (int v = 0; v < c.pivotValues().size(); v++) {
            ColumnStats.Stat st = v < s.length ? s[v] : new ColumnStats.Stat();
            if (dropEmpty && st.nonNull == 0) {
              continue;
            }
            out.add(new Out(c.pivotName(key, v), inferredType(st, narrowTypes), i, key, v));
          }
        }
        continue;
      }
      ColumnStats.Stat st = stats.columns[i];
      if (dropEmpty && st.nonNull == 0) {
        continue;
      }
      Type t = c.kind() == Column.Kind.INFERRED ? inferredType(st, narrowTypes) : typed(c.type(), st, narrowTypes);
      out.add(new Out(c.name(), t, i, null, 0));
    }
    return new TableShape(out, schema.hasGeometry());
  }

  private static Type inferredType(ColumnStats.Stat st, boolean narrow) {
    return switch (st.kind) {
      case ColumnStats.BOOL -> Type.BOOLEAN;
      case ColumnStats.INT -> narrow ? narrowest(st) : Type.INT64;
      case ColumnStats.DOUBLE -> Type.DOUBLE;
      default -> Type.STRING;
    };
  }

  private static Type typed(FieldType t, ColumnStats.Stat st, boolean narrow) {
    return switch (t) {
      case BOOLEAN -> Type.BOOLEAN;
      case INT32, INT64 -> narrow && st.nonNull > 0 ? narrowest(st) : t == FieldType.INT32 ? Type.INT32 : Type.INT64;
      case FLOAT -> Type.FLOAT;
      case DOUBLE -> Type.DOUBLE;
      case STRING -> Type.STRING;
      case DATE -> Type.DATE;
      case TIMESTAMP -> Type.TIMESTAMP;
      case BINARY -> Type.BINARY;
    };
  }

  private static Type narrowest(ColumnStats.Stat st) {
    if (st.nonNull == 0) {
      return Type.INT8;
    }
    if (st.min >= Byte.MIN_VALUE && st.max <= Byte.MAX_VALUE) return Type.INT8;
    if (st.min >= Short.MIN_VALUE && st.max <= Short.MAX_VALUE) return Type.INT16;
    if (st.min >= Integer.MIN_VALUE && st.max <= Integer.MAX_VALUE) return Type.INT32;
    return Type.INT64;
  }

  /** The row's values in the written columns' order and Java types. */
  public Object[] convert(Feature f) {
    Object[] v = new Object[columns.size()];
    Map<Integer, Map<String, Object>> cellCache = null;
    for (int i = 0; i < v.length; i++) {
      Out o = columns.get(i);
      Object raw = f.value(o.slot());
      if (o.cellKey() != null) {
        if (cellCache == null) {
          cellCache = new TreeMap<>();
        }
        PivotCells block = (PivotCells) raw;
        Map<String, Object> cells = cellCache.computeIfAbsent(o.slot(), s -> index(block));
        raw = cells.get(o.cellKey() + "\u0000" + o.cellValue());
      }
      v[i] = raw == null ? null : cast(raw, o.type());
    }
    return v;
  }

  private static Map<String, Object> index(PivotCells c) {
    Map<String, Object> m = new java.util.HashMap<>(c.size() * 2);
    for (int i = 0; i < c.size(); i++) {
      m.put(c.key(i) + "\u0000" + c.valueIndex(i), c.value(i));
    }
    return m;
  }

  static Object cast(Object raw, Type t) {
    return switch (t) {
      case BOOLEAN -> raw instanceof Boolean b ? b : Boolean.parseBoolean(raw.toString());
      case INT8, INT16, INT32 -> (int) Values.number(raw).longValue();
      case INT64 -> Values.number(raw).longValue();
      case FLOAT -> ((Number) raw).floatValue();
      case DOUBLE -> Values.number(raw).doubleValue();
      case STRING -> raw instanceof String s ? s : Values.canonical(raw);
      case DATE -> (LocalDate) raw;
      case TIMESTAMP -> (Instant) raw;
      case BINARY -> (byte[]) raw;
    };
  }

  /** The shape as a GeoParquet feature schema (8- and 16-bit integers are written as 32-bit there). */
  public FeatureSchema featureSchema() {
    List<Field> fields = new ArrayList<>();
    for (Out o : columns) {
      fields.add(new Field(o.name(), switch (o.type()) {
        case BOOLEAN -> FieldType.BOOLEAN;
        case INT8, INT16, INT32 -> FieldType.INT32;
        case INT64 -> FieldType.INT64;
        case FLOAT -> FieldType.FLOAT;
        case DOUBLE -> FieldType.DOUBLE;
        case STRING -> FieldType.STRING;
        case DATE -> FieldType.DATE;
        case TIMESTAMP -> FieldType.TIMESTAMP;
        case BINARY -> FieldType.BINARY;
      }));
    }
    return new FeatureSchema(fields);
  }
}
