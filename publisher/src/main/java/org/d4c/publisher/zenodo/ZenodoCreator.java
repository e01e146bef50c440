package org.d4c.publisher.zenodo;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A creator as Zenodo's deposit metadata takes it: {@code name} ("Family, Given" for a person, or an
 * organisation's name), optional {@code affiliation} and {@code orcid}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ZenodoCreator(String name, String affiliation, String orcid) {
  public ZenodoCreator {
    Objects.requireNonNull(name, "creator name");
    if (name.isBlank()) throw new IllegalArgumentException("a Zenodo creator needs a name");
  }

  public static ZenodoCreator named(String name) {
    return new ZenodoCreator(name, null, null);
  }
}
