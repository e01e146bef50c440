package org.d4c.manifests.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One step of an output, as written in the recipe: its type (the single key of the step object, e.g. {@code join})
 * and its settings (the value under that key: an object, a condition text or {@code true}). The pipeline gives the
 * settings meaning; the recipe schema has checked their shape.
 */
public record Step(String type, JsonNode spec) {
  /** Step types, in the order the documentation lists them. */
  public static final List<String> TYPES = List.of("join", "semi_join", "anti_join", "spatial_join", "dissolve", "pivot",
      "distinct", "filter", "compute", "narrow_types", "drop_empty_columns");

  /** Steps that group rows by key; the first key column of the last one orders a table by default. */
  public boolean isKeyed() {
    return switch (type) {
      case "join", "semi_join", "anti_join", "dissolve", "pivot", "distinct" -> true;
      default -> false;
    };
  }

  /** The source or output another recipe item this step reads, or null. */
  public String reads() {
    return switch (type) {
      case "join", "semi_join", "anti_join", "spatial_join" -> spec.path("source").asText(null);
      default -> null;
    };
  }
}
