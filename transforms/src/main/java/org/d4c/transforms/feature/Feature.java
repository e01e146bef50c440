package org.d4c.transforms.feature;

import java.util.Arrays;
import java.util.Objects;
import org.locationtech.jts.geom.Geometry;

/**
 * One feature flowing through a pipeline: where it came from (source index and FID, the stable tie-breaker of the
 * sort), its geometry, its attribute values positionally matching a {@link FeatureSchema}, and its spatial sort key.
 *
 * <p>Features are immutable by convention: a transform that changes one makes a new one with the {@code with*}
 * methods, so Beam runners may pass the same object to several steps.
 */
public final class Feature {
  private final int source;
  private final long fid;
  // Decoded from wkb on first use: a feature read back from a run file on its way to the writer is never decoded,
  // its WKB goes to the file as read (the same bytes JTS would write again). A race decodes twice, equal results.
  private Geometry geometry;
  private final byte[] wkb;
  private final Object[] values;
  private final long sortKey;

  public Feature(int source, long fid, Geometry geometry, Object[] values, long sortKey) {
    this(source, fid, geometry, null, values, sortKey);
  }

  private Feature(int source, long fid, Geometry geometry, byte[] wkb, Object[] values, long sortKey) {
    this.source = source;
    this.fid = fid;
    this.geometry = geometry;
    this.wkb = wkb;
    this.values = Objects.requireNonNull(values, "values");
    this.sortKey = sortKey;
  }

  /**
   * A feature whose geometry is given as 2D little-endian WKB, as {@link FeatureCoder#toWkb} writes it; decoded only
   * when {@link #geometry()} is asked for. The caller hands the array over.
   */
  public static Feature ofWkb(int source, long fid, byte[] wkb, Object[] values, long sortKey) {
    return new Feature(source, fid, null, Objects.requireNonNull(wkb, "wkb"), values, sortKey);
  }

  public Feature(int source, long fid, Geometry geometry, Object[] values) {
    this(source, fid, geometry, values, 0L);
  }

  /** Index of the recipe source this feature was read from. */
  public int source() {
    return source;
  }

  /** The feature id in its source (OGR FID). */
  public long fid() {
    return fid;
  }

  public Geometry geometry() {
    Geometry g = geometry;
    if (g == null && wkb != null) {
      g = FeatureCoder.fromWkb(wkb);
      geometry = g;
    }
    return g;
  }

  /** The geometry's WKB when the feature was made from it (not to be changed), else null. */
  public byte[] wkb() {
    return wkb;
  }

  /** The value of field {@code i}; null for a null value. */
  public Object value(int i) {
    return values[i];
  }

  public int valueCount() {
    return values.length;
  }

  /** A copy of the values; callers may change it. */
  public Object[] values() {
    return values.clone();
  }

  /** The spatial sort key (a Hilbert index), 0 until a sort key step has run. */
  public long sortKey() {
    return sortKey;
  }

  public Feature withGeometry(Geometry g) {
    return new Feature(source, fid, g, values, sortKey);
  }

  public Feature withValues(Object[] v) {
    return new Feature(source, fid, geometry, wkb, v, sortKey);
  }

  public Feature withSortKey(long key) {
    return new Feature(source, fid, geometry, wkb, values, key);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Feature f)) {
      return false;
    }
    return source == f.source && fid == f.fid && sortKey == f.sortKey
        && (geometry() == null ? f.geometry() == null : f.geometry() != null && geometry().equalsExact(f.geometry()))
        && Arrays.deepEquals(values, f.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, fid, sortKey);
  }

  @Override
  public String toString() {
    return "Feature{source=" + source + ", fid=" + fid + ", sortKey=" + sortKey + ", geometry="
        + (geometry() == null ? "null" : geometry().getGeometryType()) + ", values=" + Arrays.deepToString(values) + "}";
  }
}
