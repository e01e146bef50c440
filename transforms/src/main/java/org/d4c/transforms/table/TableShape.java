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
  private transient volatile Map<Integer, Map<String, int[]>> cellColumns;

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
    for (int i = 0; i < v.length; i++) {
      Out o = columns.get(i);
      if (o.cellKey() == null) {
        Object raw = f.value(o.slot());
        v[i] = raw == null ? null : cast(raw, o.type());
      }
    }
    for (Map.Entry<Integer, Map<String, int[]>> e : cellColumns().entrySet()) {
      if (!(f.value(e.getKey()) instanceof PivotCells block)) continue;
      Map<String, int[]> where = e.getValue();
      for (int c = 0; c < block.size(); c++) {
        int[] cols = where.get(block.key(c));
        int vi = block.valueIndex(c);
        if (cols == null || vi >= cols.length || cols[vi] < 0) continue; // a column dropped as empty
        Object raw = block.value(c);
        v[cols[vi]] = raw == null ? null : cast(raw, columns.get(cols[vi]).type());
      }
    }
    return v;
  }

  /**
   * Per pivot block (by slot): cell key to the written column of each value field (-1: none). Built once per shape,
   * so that a wide row's cells are placed with one lookup each instead of one per written column.
   */
  private Map<Integer, Map<String, int[]>> cellColumns() {
    Map<Integer, Map<String, int[]>> m = cellColumns;
    if (m != null) return m;
    m = new TreeMap<>();
    for (int i = 0; i < columns.size(); i++) {
      Out o = columns.get(i);
      if (o.cellKey() == null) continue;
      Map<String, int[]> block = m.computeIfAbsent(o.slot(), s -> new java.util.HashMap<>());
      int[] cols = block.getOrDefault(o.cellKey(), new int[0]);
      if (cols.length <= o.cellValue()) {
        int from = cols.length;
        cols = java.util.Arrays.copyOf(cols, o.cellValue() + 1);
        java.util.Arrays.fill(cols, from, cols.length, -1);
      }
      cols[o.cellValue()] = i;
      block.put(o.cellKey(), cols);
    }
    cellColumns = m; // threads that build it at once build equal maps
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
