package org.d4c.manifests.recipe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One output file stem built from one source. An empty {@code select} keeps every field in source order;
 * {@code rename} maps source field names to output names, in the order written.
 */
public record Output(String name, String source, List<String> select, Map<String, String> rename) {
  public Output {
    select = select == null ? List.of() : List.copyOf(select);
    rename = rename == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(rename));
  }

  /** The output name of a source field (after rename). */
  public String outputName(String field) {
    return rename.getOrDefault(field, field);
  }
}
