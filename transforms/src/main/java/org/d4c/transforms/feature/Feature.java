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
  private final Geometry geometry;
  private final Object[] values;
  private final long sortKey;

  public Feature(int source, long fid, Geometry geometry, Object[] values, long sortKey) {
    this.source = source;
    this.fid = fid;
    this.geometry = geometry;
    this.values = Objects.requireNonNull(values, "values");
    this.sortKey = sortKey;
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
    return geometry;
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
    return new Feature(source, fid, geometry, v, sortKey);
  }

  public Feature withSortKey(long key) {
    return new Feature(source, fid, geometry, values, key);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Feature f)) {
      return false;
    }
    return source == f.source && fid == f.fid && sortKey == f.sortKey
        && (geometry == null ? f.geometry == null : f.geometry != null && geometry.equalsExact(f.geometry))
        && Arrays.deepEquals(values, f.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, fid, sortKey);
  }

  @Override
  public String toString() {
    return "Feature{source=" + source + ", fid=" + fid + ", sortKey=" + sortKey + ", geometry="
        + (geometry == null ? "null" : geometry.getGeometryType()) + ", values=" + Arrays.deepToString(values) + "}";
  }
}
