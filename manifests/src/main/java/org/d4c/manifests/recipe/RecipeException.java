package org.d4c.manifests.recipe;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** A recipe that cannot be used; one line per problem, each naming the file and the field. */
public class RecipeException extends D4cException {
  private final List<String> problems;

  public RecipeException(Path file, List<String> problems) {
    super(ExitCode.BAD_INPUT, problems.stream().map(p -> name(file) + ": " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  /** The problems without the file prefix, e.g. {@code sources[0].sha256: expected ...}. */
  public List<String> problems() {
    return problems;
  }

  static String name(Path file) {
    return file == null ? "<recipe>" : file.toString();
  }
}
