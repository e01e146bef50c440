package org.d4c.manifests.recipe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One output file stem built from one source. An empty {@code select} keeps every field in source order;
 * {@code rename} maps source field names to output names, in the order written. {@code steps} run in order after
 * that; {@code geometry} is {@code "none"} for a table without geometry (else null); {@code orderBy} orders a table.
 */
public record Output(String name, String source, List<String> select, Map<String, String> rename, List<Step> steps,
    String geometry, List<String> orderBy) {
  public Output {
    select = select == null ? List.of() : List.copyOf(select);
    rename = rename == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(rename));
    steps = steps == null ? List.of() : List.copyOf(steps);
    orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
  }

  public Output(String name, String source, List<String> select, Map<String, String> rename) {
    this(name, source, select, rename, List.of(), null, List.of());
  }

  /** {@code geometry: none}: a plain Parquet table without geometry. */
  public boolean isTable() {
    return "none".equals(geometry);
  }

  /** True for an output that only copies one layer, the original path of the pipeline (no steps, no table options). */
  public boolean isPlainCopy() {
    return steps.isEmpty() && geometry == null && orderBy.isEmpty();
  }

  /** The output name of a source field (after rename). */
  public String outputName(String field) {
    return rename.getOrDefault(field, field);
  }
}
