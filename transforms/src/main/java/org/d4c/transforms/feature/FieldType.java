package org.d4c.transforms.feature;

/**
 * Attribute types a feature can carry, and the Java type of their values.
 * Kept small on purpose: every type maps one to one onto a Parquet type.
 */
public enum FieldType {
  /** {@link Boolean}. */
  BOOLEAN,
  /** {@link Integer}. */
  INT32,
  /** {@link Long}. */
  INT64,
  /** {@link Float}. */
  FLOAT,
  /** {@link Double}. */
  DOUBLE,
  /** {@link String}, written as UTF-8. */
  STRING,
  /** {@link java.time.LocalDate}. */
  DATE,
  /** {@link java.time.Instant}, microsecond precision, UTC. */
  TIMESTAMP,
  /** {@code byte[]}. */
  BINARY
}
