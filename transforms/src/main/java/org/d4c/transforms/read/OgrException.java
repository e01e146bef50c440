package org.d4c.transforms.read;

/** A source that cannot be read at all (as opposed to a bad record, which becomes a reject). */
public final class OgrException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OgrException(OgrSource source, String message) {
    super("source '" + source.id() + "' (" + source.datasetName() + (source.layer() == null ? "" : ", layer " + source.layer())
        + "): " + message);
  }
}
