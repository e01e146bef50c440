package org.d4c.catalog;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

import java.util.List;

/**
 * Bad input to the catalog: a build folder whose files do not match its manifest, an item id that is already taken
 * by different content, a corrupt or foreign catalog file, a bad search argument. One line per problem, each naming
 * the file and the field. The catalog on disk is left as it was whenever this is thrown.
 */
public class CatalogException extends D4cException {
  private final List<String> problems;

  public CatalogException(String where, List<String> problems) {
    super(ExitCode.BAD_INPUT, String.join("\n", problems.stream().map(p -> where == null ? p : where + ": " + p).toList()));
    this.problems = List.copyOf(problems);
  }

  public CatalogException(String where, String problem) {
    this(where, List.of(problem));
  }

  public CatalogException(String where, String problem, Throwable cause) {
    this(where, List.of(problem));
    initCause(cause);
  }

  public List<String> problems() {
    return problems;
  }
}
