package org.d4c.transforms.feature;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.PCollection;

/**
 * Keeps some fields, in a given order, and renames them. The output schema is known when the pipeline is built
 * ({@link #outputSchema()}), so a name that does not exist is an error before any data is read.
 */
public final class SelectFields extends PTransform<PCollection<Feature>, PCollection<Feature>> {
  private static final long serialVersionUID = 1L;
  private final int[] indexes;
  private final FeatureSchema output;

  private SelectFields(int[] indexes, FeatureSchema output) {
    this.indexes = indexes;
    this.output = output;
  }

  /**
   * @param select the source fields to keep, in output order; empty keeps all
   * @param rename source name to output name
   * @throws IllegalArgumentException naming a field that the input does not have
   */
  public static SelectFields of(FeatureSchema input, List<String> select, Map<String, String> rename) {
    List<String> names = new ArrayList<>();
    if (select.isEmpty()) {
      input.fields().forEach(f -> names.add(f.name()));
    } else {
      names.addAll(select);
    }
    for (String r : rename.keySet()) {
      if (!names.contains(r)) {
        throw new IllegalArgumentException("rename names field '" + r + "', which is not "
            + (input.indexOf(r) < 0 ? "in the source; it has " + fieldNames(input) : "selected"));
      }
    }
    int[] indexes = new int[names.size()];
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      int at = input.indexOf(names.get(i));
      if (at < 0) {
        throw new IllegalArgumentException("select names field '" + names.get(i) + "', which is not in the source; it has "
            + fieldNames(input));
      }
      indexes[i] = at;
      fields.add(new Field(rename.getOrDefault(names.get(i), names.get(i)), input.field(at).type()));
    }
    return new SelectFields(indexes, new FeatureSchema(fields, input.geometryColumn()));
  }

  private static List<String> fieldNames(FeatureSchema s) {
    return s.fields().stream().map(Field::name).toList();
  }

  public FeatureSchema outputSchema() {
    return output;
  }

  /** True when the selection keeps every field in place (only names change, or nothing). */
  public boolean keepsAllInOrder(FeatureSchema input) {
    if (indexes.length != input.size()) {
      return false;
    }
    for (int i = 0; i < indexes.length; i++) {
      if (indexes[i] != i) {
        return false;
      }
    }
    return true;
  }

  /** {@code f} with the chosen values only, in output order. */
  public Feature select(Feature f) {
    return select(f, indexes);
  }

  private static Feature select(Feature f, int[] idx) {
    Object[] values = new Object[idx.length];
    for (int i = 0; i < idx.length; i++) {
      values[i] = f.value(idx[i]);
    }
    return f.withValues(values);
  }

  @Override
  public PCollection<Feature> expand(PCollection<Feature> input) {
    int[] idx = indexes;
    return input.apply("Keep chosen fields", MapElements.via(new SimpleFunction<Feature, Feature>() {
      @Override
      public Feature apply(Feature f) {
        return select(f, idx);
      }
    })).setCoder(FeatureCoder.of());
  }
}
