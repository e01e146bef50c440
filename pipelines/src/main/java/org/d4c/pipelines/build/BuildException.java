package org.d4c.pipelines.build;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

import org.d4c.manifests.recipe.RecipeException;
import org.d4c.manifests.sources.SourceException;
import org.d4c.transforms.read.OgrException;

/** A build that cannot go on; the message says what is wrong and, where it can, what to do. */
public class BuildException extends D4cException {
  private static final long serialVersionUID = 1L;

  public BuildException(String message) {
    super(ExitCode.FAILED, message);
  }

  protected BuildException(ExitCode exitCode, String message) {
    super(exitCode, message);
  }

  public BuildException(String message, Throwable cause) {
    super(ExitCode.FAILED, message, cause);
  }

  /**
   * Unwraps what a runner threw (Beam wraps worker exceptions in its own) down to the d4c error that explains it.
   */
  static RuntimeException from(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OgrException || t instanceof SourceException || t instanceof RecipeException
          || t instanceof BuildException) {
        return (RuntimeException) t;
      }
      if (t instanceof org.d4c.transforms.steps.StepException || t instanceof org.d4c.transforms.table.CsvTables.CsvException) {
        return new BuildException(t.getMessage(), t);
      }
      if (t instanceof java.io.UncheckedIOException) {
        return new BuildException(t.getMessage(), t);
      }
    }
    return new BuildException("the pipeline failed: " + e.getMessage(), e);
  }
}
