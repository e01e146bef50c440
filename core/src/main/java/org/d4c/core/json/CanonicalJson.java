package org.d4c.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.d4c.core.io.AtomicFiles;

/**
 * The one JSON form the project hashes and commits: keys sorted at every level, 2-space indent,
 * {@code \n} line endings on every OS, UTF-8, a trailing newline, and decimals written exactly
 * (0.0001 stays 0.0001, never 1.0E-4; 1.0 becomes 1). Same value in, same bytes out.
 */
public final class CanonicalJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter(
      Separators.createDefaultInstance()
          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
          .withObjectEmptySeparator("")
          .withArrayEmptySeparator("")
          .withRootSeparator(""))
      .withObjectIndenter(new DefaultIndenter("  ", "\n"))
      .withArrayIndenter(new DefaultIndenter("  ", "\n"));

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .nodeFactory(NODES)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .defaultPrettyPrinter(PRINTER)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  // For valueToTree only: with USE_BIG_DECIMAL_FOR_FLOATS a float would be widened to a double on the way.
  private static final ObjectMapper TREES = MAPPER.copy().disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private CanonicalJson() {}

  /** The shared mapper (reads floats as BigDecimal so a round trip keeps every digit). Do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Converts any value (record, map, tree) to a tree with sorted keys and exact decimals. */
  public static JsonNode toTree(Object value) {
    JsonNode tree = value instanceof JsonNode n ? n : TREES.valueToTree(value);
    return normalize(tree == null ? NODES.nullNode() : tree);
  }

  public static byte[] toBytes(Object value) {
    return toString(value).getBytes(StandardCharsets.UTF_8);
  }

  public static String toString(Object value) {
    try {
      // The pretty printer already uses "\n"; nothing in the output depends on the platform.
      return MAPPER.writeValueAsString(toTree(value)) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes atomically (temp file in the same folder, then ATOMIC_MOVE). */
  public static void write(Path file, Object value) {
    AtomicFiles.write(file, toBytes(value));
  }

  private static JsonNode normalize(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode out = NODES.objectNode();
      for (String name : names) out.set(name, normalize(node.get(name)));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode(node.size());
      node.forEach(e -> out.add(normalize(e)));
      return out;
    }
    if (node.isIntegralNumber()) return integer(node.bigIntegerValue());
    if (node.isFloatingPointNumber()) {
      if (node.isDouble() || node.isFloat()) {
        double d = node.doubleValue();
        if (!Double.isFinite(d)) throw new IllegalArgumentException("JSON has no NaN or Infinity: " + d);
        // The shortest decimal that round-trips, so 0.1 stays 0.1 (and 0.1f is not 0.10000000149011612).
        return decimal(new BigDecimal(node.isFloat() ? Float.toString(node.floatValue()) : Double.toString(d)));
      }
      return decimal(node.decimalValue());
    }
    return node;
  }

  private static JsonNode decimal(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    // Whole numbers are written as integers: one spelling per value.
    if (s.scale() <= 0) return integer(s.toBigIntegerExact());
    return NODES.numberNode(s);
  }

  // Smallest node type, as the parser would produce it, so trees compare equal after a round trip.
  private static JsonNode integer(BigInteger i) {
    if (i.bitLength() < 32) return NODES.numberNode(i.intValue());
    if (i.bitLength() < 64) return NODES.numberNode(i.longValue());
    return NODES.numberNode(i);
  }
}
