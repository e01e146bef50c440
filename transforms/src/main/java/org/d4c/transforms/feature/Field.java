package org.d4c.transforms.feature;

import java.io.Serializable;
import java.util.Objects;

/** One attribute column: its output name and type. */
public record Field(String name, FieldType type) implements Serializable {
  public Field {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}
