package org.d4c.manifests.recipe;

import java.util.List;

/** A STAC-like provider; {@code description} and {@code url} may be null. */
public record Provider(String name, String description, List<String> roles, String url) {
  public Provider {
    roles = roles == null ? List.of() : List.copyOf(roles);
  }
}
