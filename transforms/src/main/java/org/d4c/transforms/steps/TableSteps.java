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
    throw new IllegalArgumentException("the step type '" + type + "' is not supported yet");
  }
}
