package org.d4c.transforms.read;

import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;

/** A source that cannot be read at all (as opposed to a bad record, which becomes a reject). */
public final class OgrException extends D4cException {
  private static final long serialVersionUID = 1L;

  public OgrException(OgrSource source, String message) {
    super(ExitCode.SOURCE_PROBLEM, "source '" + source.id() + "' (" + source.datasetName() + (source.layer() == null ? "" : ", layer " + source.layer())
        + "): " + message);
  }
}
