package org.d4c.transforms.steps;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.table.TableSchema;

/** Plans the row-wise and geometry steps from their recipe settings: filter, compute, dissolve, spatial join. */
public final class TableSteps {
  private TableSteps() {}

  /** A step ready to apply, with the columns it outputs. */
  public record Planned(TableSchema schema, PTransform<PCollection<Feature>, PCollectionTuple> transform) {}

  /** Another source or output a step reads. */
  public record Side(TableSchema schema, PCollection<Feature> rows) {}

  /**
   * @throws IllegalArgumentException when the settings name a missing field or cannot be parsed
   */
  public static Planned plan(String label, String type, JsonNode spec, TableSchema in, String crs,
      Function<String, Side> sides) {
    switch (type) {
      case "filter" -> {
        RowSteps r = RowSteps.filter(label, in, spec.asText(), crs);
        return new Planned(r.outputSchema(), r);
      }
      case "compute" -> {
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        spec.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().asText()));
        RowSteps r = RowSteps.compute(label, in, fields, crs);
        return new Planned(r.outputSchema(), r);
      }
      case "dissolve" -> {
        java.util.Map<String, String> agg = new java.util.LinkedHashMap<>();
        spec.path("aggregate").fields().forEachRemaining(e -> agg.put(e.getKey(), e.getValue().asText()));
        Dissolve d = Dissolve.of(label, in, strings(spec.path("by")), agg);
        return new Planned(d.outputSchema(), d);
      }
      case "spatial_join" -> {
        String ref = spec.path("source").asText();
        Side side = sides.apply(ref);
        org.d4c.transforms.join.SpatialJoin j = org.d4c.transforms.join.SpatialJoin.of(label, in, side.rows(), ref,
            side.schema(), org.d4c.transforms.join.SpatialJoin.Predicate.valueOf(
                spec.path("predicate").asText("intersects").toUpperCase(java.util.Locale.ROOT)),
            strings(spec.path("select")), spec.path("prefix").asText(""), "inner".equals(spec.path("how").asText()),
            "largest_overlap".equals(spec.path("pick").asText()));
        return new Planned(j.outputSchema(), j);
      }
      default -> throw new IllegalArgumentException("unknown step type '" + type + "'");
    }
  }

  private static java.util.List<String> strings(JsonNode a) {
    java.util.List<String> l = new java.util.ArrayList<>();
    a.forEach(x -> l.add(x.asText()));
    return l;
  }
}
