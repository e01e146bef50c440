package org.d4c.transforms.read;

import java.io.Serializable;

/**
 * A part of a layer that one worker reads. Either an FID range (drivers that index the FID, such as GeoPackage) or
 * a range of feature positions (drivers with fast random access), or the whole layer.
 */
public record OgrSplit(Kind kind, long start, long end) implements Serializable {
  public enum Kind { ALL, FID_RANGE, INDEX_RANGE }

  public static OgrSplit all() {
    return new OgrSplit(Kind.ALL, 0, Long.MAX_VALUE);
  }
}
