package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * JSON number nodes in the one form {@link org.d4c.core.json.CanonicalJson#toTree} gives them (shortest decimal
 * that round-trips; whole numbers as int or long nodes), built directly so rows read from Parquet need no second
 * normalising pass to compare equal to the items that were written.
 */
final class Numbers {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private Numbers() {}

  static JsonNode of(double d) {
    if (!Double.isFinite(d)) throw new IllegalArgumentException("JSON has no NaN or Infinity: " + d);
    BigDecimal s = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    return s.scale() <= 0 ? of(s.toBigIntegerExact()) : NODES.numberNode(s);
  }

  static JsonNode of(float f) {
    BigDecimal s = new BigDecimal(Float.toString(f)).stripTrailingZeros();
    return s.scale() <= 0 ? of(s.toBigIntegerExact()) : NODES.numberNode(s);
  }

  static JsonNode of(long v) {
    return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
  }

  private static JsonNode of(BigInteger i) {
    if (i.bitLength() < 32) return NODES.numberNode(i.intValue());
    if (i.bitLength() < 64) return NODES.numberNode(i.longValue());
    return NODES.numberNode(i);
  }
}
