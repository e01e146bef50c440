package org.d4c.transforms.steps;

/** A step found the data breaks a rule of the recipe (e.g. a join key that occurs twice); the build stops. */
public final class StepException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StepException(String message) {
    super(message);
  }
}
