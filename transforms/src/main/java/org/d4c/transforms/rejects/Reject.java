package org.d4c.transforms.rejects;

import java.io.Serializable;
import java.util.Comparator;

/**
 * A record that could not become output, kept with the reason instead of being dropped.
 *
 * @param source index of the recipe source
 * @param fid the feature id in that source
 * @param reason a short code (see {@link Reason})
 * @param detail a human-readable explanation
 * @param wkt the geometry as read, when there was one (truncated for huge geometries)
 */
public record Reject(int source, long fid, String reason, String detail, String wkt) implements Serializable {

  /** Data order: by source, then FID, then reason, so the rejects file is the same whatever the runner did. */
  public static final Comparator<Reject> ORDER = Comparator.comparingInt(Reject::source)
      .thenComparingLong(Reject::fid)
      .thenComparing(Reject::reason)
      .thenComparing(Reject::detail);

  /** The reason codes, stable strings used in the rejects file, metrics and the manifest. */
  public static final class Reason {
    public static final String NULL_GEOMETRY = "null_geometry";
    public static final String EMPTY_GEOMETRY = "empty_geometry";
    public static final String UNDECODABLE_GEOMETRY = "undecodable_geometry";
    public static final String INVALID_GEOMETRY = "invalid_geometry";
    public static final String UNDECODABLE_ATTRIBUTE = "undecodable_attribute";
    public static final String REPROJECTION_FAILED = "reprojection_failed";

    private Reason() {}
  }
}
