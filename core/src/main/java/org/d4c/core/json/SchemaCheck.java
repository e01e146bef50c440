package org.d4c.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A JSON Schema (draft 2020-12) shipped as a class path resource, whose violations are turned into
 * one readable line each: {@code sources[0].sha256: expected 64 lowercase hex characters, got "abc"}.
 * A schema may give its own wording per keyword in an {@code errorMessage} object next to it.
 */
public final class SchemaCheck {
  private final JsonNode schemaTree;
  private final JsonSchema schema;

  private SchemaCheck(JsonNode schemaTree) {
    this.schemaTree = schemaTree;
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
        .errorMessageKeyword("errorMessage")
        .formatAssertionsEnabled(true)
        .build();
    this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaTree, config);
  }

  /** Loads a schema next to {@code anchor} in the class path, e.g. ("recipe.schema.json", Recipes.class). */
  public static SchemaCheck fromResource(Class<?> anchor, String name) {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name + " next to " + anchor.getName());
      return new SchemaCheck(CanonicalJson.mapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonNode schemaTree() {
    return schemaTree;
  }

  /** Every problem, sorted by where it is in the document; empty when valid. */
  public List<String> validate(JsonNode instance) {
    List<ValidationMessage> messages = new ArrayList<>(schema.validate(instance));
    messages.sort(Comparator.comparing(ValidationMessage::getInstanceLocation)
        .thenComparing(m -> String.valueOf(m.getProperty()))
        .thenComparing(ValidationMessage::getType));
    List<String> out = new ArrayList<>();
    for (ValidationMessage m : messages) {
      String line = describe(m);
      if (!out.contains(line)) out.add(line);
    }
    return out;
  }

  private String describe(ValidationMessage m) {
    String where = fieldPath(m.getInstanceLocation());
    String keyword = m.getType();
    JsonNode at = schemaNodeAt(m);
    String custom = at.path("errorMessage").path(keyword).asText(null);
    return switch (keyword) {
      case "required" -> join(where, m.getProperty()) + ": required field is missing";
      case "additionalProperties" -> join(where, m.getProperty()) + ": unknown field"
          + allowed(at.path("properties"), m.getProperty());
      default -> {
        String text = custom != null ? custom
            : keyword.equals("type") ? "expected " + m.getArguments()[1]
            : m.getError();
        JsonNode got = m.getInstanceNode();
        yield (where.isEmpty() ? "(top level)" : where) + ": " + text
            + (got == null || got.isContainerNode() ? "" : ", got " + got);
      }
    };
  }

  /** Suggests the closest allowed name (a typo) or lists them all. */
  private static String allowed(JsonNode properties, String name) {
    List<String> names = new ArrayList<>();
    properties.fieldNames().forEachRemaining(names::add);
    if (names.isEmpty()) return "";
    // A truncated or extended name ("sha" for "sha256") first, then the nearest by edit distance.
    String best = names.stream().filter(n -> name.length() >= 3 && (n.startsWith(name) || name.startsWith(n))).findFirst()
        .orElseGet(() -> names.stream().min(Comparator.comparingInt(n -> distance(n, name))).orElseThrow());
    boolean close = distance(best, name) <= Math.max(2, name.length() / 3) || best.startsWith(name) || name.startsWith(best);
    if (close) return " (did you mean " + best + "?)";
    return " (allowed: " + String.join(", ", names) + ")";
  }

  private JsonNode schemaNodeAt(ValidationMessage m) {
    // The keyword's parent schema: where its siblings "properties" and "errorMessage" live.
    JsonNodePath fragment = m.getSchemaLocation().getFragment();
    JsonNode node = schemaTree;
    for (int i = 0; i < fragment.getNameCount() - 1 && node != null; i++) {
      Object e = fragment.getElement(i);
      node = e instanceof Integer idx ? node.get(idx) : node.get(e.toString());
    }
    return node == null ? MissingNode.getInstance() : node;
  }

  /** {@code sources[0].sha256} rather than a JSON pointer: it reads like the YAML the user wrote. */
  public static String fieldPath(JsonNodePath path) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      Object e = path.getElement(i);
      if (e instanceof Integer idx) sb.append('[').append(idx).append(']');
      else sb.append(sb.length() == 0 ? "" : ".").append(e);
    }
    return sb.toString();
  }

  private static String join(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev; prev = cur; cur = t;
    }
    return prev[b.length()];
  }
}
