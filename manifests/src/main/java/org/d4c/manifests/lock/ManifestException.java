package org.d4c.manifests.lock;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** A manifest that cannot be read or written; one line per problem, naming the file and the field. */
public class ManifestException extends D4cException {
  private final List<String> problems;

  public ManifestException(Path file, List<String> problems) {
    super(ExitCode.BAD_INPUT, problems.stream().map(p -> (file == null ? "<manifest>" : file.toString()) + ": " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
