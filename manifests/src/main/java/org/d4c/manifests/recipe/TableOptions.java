package org.d4c.manifests.recipe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a delimited-text source (CSV) is read: its text encoding, delimiter, the markers read as null, declared column
 * types (the others are inferred from every value of the column) and an optional point geometry built from two
 * columns. Null fields mean "not given": {@link #encodingOrDefault()} and friends apply the defaults.
 *
 * @param encoding a Java charset name (UTF-8, ISO-8859-1, windows-1252, ...)
 * @param delimiter one character
 * @param nullValues exact cell texts read as null (an empty cell is always null)
 * @param types column name to one of {@link #TYPES}
 * @param x column holding the x (longitude) of a point geometry
 * @param y column holding the y (latitude)
 * @param crs the CRS of x and y (default OGC:CRS84)
 */
public record TableOptions(String encoding, String delimiter, List<String> nullValues, Map<String, String> types,
    String x, String y, String crs) {
  /** Column types a recipe may declare. */
  public static final List<String> TYPES = List.of("string", "integer", "double", "boolean", "date");

  public TableOptions {
    nullValues = nullValues == null ? List.of() : List.copyOf(nullValues);
    types = types == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(types));
  }

  public String encodingOrDefault() {
    return encoding == null ? "UTF-8" : encoding;
  }

  public char delimiterOrDefault() {
    return delimiter == null ? ',' : delimiter.charAt(0);
  }

  public String crsOrDefault() {
    return crs == null ? "OGC:CRS84" : crs;
  }

  public boolean hasPoint() {
    return x != null && y != null;
  }

  public boolean isEmpty() {
    return encoding == null && delimiter == null && nullValues.isEmpty() && types.isEmpty() && x == null && y == null
        && crs == null;
  }
}
