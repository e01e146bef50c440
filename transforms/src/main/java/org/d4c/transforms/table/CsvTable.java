package org.d4c.transforms.table;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A CSV source as planned before the pipeline runs.
 *
 * @param index the source's position in the recipe
 * @param id the source id
 * @param members the files read as one source, in name order
 * @param charset a Java charset name
 * @param delimiter the field delimiter
 * @param nullValues cell texts read as null (besides the empty cell)
 * @param header column names, from the first line of every member
 * @param declared column name to declared type (string, integer, double, boolean, date)
 * @param x column of the point x, or null
 * @param y column of the point y, or null
 * @param crs CRS of x/y
 * @param splits record ranges to read in parallel
 * @param records records (rows) in all members, header lines excluded
 */
public record CsvTable(int index, String id, List<CsvMember> members, String charset, char delimiter,
    List<String> nullValues, List<String> header, Map<String, String> declared, String x, String y, String crs,
    List<CsvSplit> splits, long records) implements Serializable {

  /** Row ids are (member << 40 | byte offset): member order then position, the order of the data. */
  public static long rowId(int member, long offset) {
    return ((long) member << 40) | offset;
  }

  public boolean hasPoint() {
    return x != null && y != null;
  }

  /** The columns rows carry: declared columns typed, the others inferred at the end. */
  public TableSchema schema() {
    java.util.List<Column> cols = new java.util.ArrayList<>();
    for (String h : header) {
      String t = declared.get(h);
      cols.add(t == null ? Column.inferred(h) : Column.typed(h, switch (t) {
        case "integer" -> org.d4c.transforms.feature.FieldType.INT64;
        case "double" -> org.d4c.transforms.feature.FieldType.DOUBLE;
        case "boolean" -> org.d4c.transforms.feature.FieldType.BOOLEAN;
        case "date" -> org.d4c.transforms.feature.FieldType.DATE;
        default -> org.d4c.transforms.feature.FieldType.STRING;
      }));
    }
    return new TableSchema(cols, hasPoint());
  }
}
