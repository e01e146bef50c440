package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema of catalog.parquet, inferred from the items the way stac-geoparquet does it: one column per
 * top-level STAC field, every {@code properties} field pulled up to its own column, JSON objects as structs (so
 * {@code assets} is a struct with one struct per asset key), arrays as Parquet LISTs, the datetime fields as
 * timestamps (microseconds, UTC), {@code bbox} as the GeoParquet 1.1 covering struct and {@code geometry} as WKB.
 * Fields are the union over all items; an item without a field has null there. Column order is fixed: the STAC
 * top-level fields first, then the properties by name, so the same items always give the same schema.
 */
final class ItemColumns {
  /** Top-level STAC Item fields, in column order. Any other column is a property. */
  static final List<String> TOP_LEVEL = List.of(
      "type", "stac_version", "stac_extensions", "id", "geometry", "bbox", "links", "assets", "collection");
  /** Properties stored as timestamps, as stac-geoparquet does (common metadata and the timestamps extension). */
  static final Set<String> TIMESTAMPS = Set.of(
      "datetime", "start_datetime", "end_datetime", "created", "updated", "expires", "published", "unpublished");
  static final List<String> BBOX_FIELDS = List.of("xmin", "ymin", "xmax", "ymax");

  /** A JSON value's shape. */
  sealed interface Shape permits Leaf, ListOf, StructOf {}

  enum Leaf implements Shape { NULL, STRING, BOOLEAN, LONG, DOUBLE }

  record ListOf(Shape element) implements Shape {}

  record StructOf(TreeMap<String, Shape> fields) implements Shape {}

  private ItemColumns() {}

  /** The schema for these items (STAC JSON, with {@code properties}). */
  static MessageType schemaFor(List<? extends JsonNode> items) {
    return schemaFor(items, null);
  }

  /**
   * The schema for these items together with the rows already stored under {@code base} (the union of both), so a
   * change to some rows can tell whether the other rows' column chunks still fit.
   */
  static MessageType schemaFor(List<? extends JsonNode> items, MessageType base) {
    TreeMap<String, Shape> top = new TreeMap<>();
    TreeMap<String, Shape> props = new TreeMap<>();
    // geometry and bbox are required columns until an item has a null geometry (a build of only tables); then both
    // are optional. Catalogs without such an item keep their schema, and so their bytes.
    boolean nullable = base != null && base.containsField("geometry")
        && base.getType("geometry").getRepetition() == Repetition.OPTIONAL;
    for (JsonNode item : items) nullable |= !item.hasNonNull("geometry");
    if (base != null) {
      for (Type t : base.getFields()) {
        String k = t.getName();
        if (k.equals("id") || k.equals("geometry") || k.equals("bbox") || k.equals("stac_extensions")) continue;
        (TOP_LEVEL.contains(k) ? top : props).put(k, shapeOf(t));
      }
    }
    for (JsonNode item : items) {
      String where = "item " + item.path("id").asText("?");
      for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        if (k.equals("properties") || k.equals("geometry") || k.equals("bbox")) continue;
        if (!TOP_LEVEL.contains(k)) throw new CatalogException(where, "unsupported top-level field \"" + k + "\"");
        top.merge(k, shape(e.getValue()), (a, b) -> unify(a, b, where + ": " + k));
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = item.path("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        if (TOP_LEVEL.contains(k) || k.equals("properties")) {
          throw new CatalogException(where, "property \"" + k + "\" collides with a top-level STAC field;"
              + " stac-geoparquet cannot store it");
        }
        if (TIMESTAMPS.contains(k) && !e.getValue().isNull() && !e.getValue().isTextual()) {
          throw new CatalogException(where, "properties." + k + ": expected an RFC 3339 date-time string");
        }
        props.merge(k, shape(e.getValue()), (a, b) -> unify(a, b, where + ": properties." + k));
      }
    }
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (String k : TOP_LEVEL) {
      switch (k) {
        case "id" -> b.addField(Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("id"));
        case "geometry" -> b.addField(Types.primitive(PrimitiveTypeName.BINARY, nullable ? Repetition.OPTIONAL : Repetition.REQUIRED)
            .named("geometry"));
        case "bbox" -> {
          Types.GroupBuilder<GroupType> g = Types.buildGroup(nullable ? Repetition.OPTIONAL : Repetition.REQUIRED);
          for (String f : BBOX_FIELDS) g = g.required(PrimitiveTypeName.DOUBLE).named(f);
          b.addField(g.named("bbox"));
        }
        case "stac_extensions" -> b.addField(type(k, new ListOf(Leaf.STRING), Repetition.OPTIONAL));
        default -> {
          Shape s = top.get(k);
          if (s != null) addIf(b, type(k, s, Repetition.OPTIONAL));
        }
      }
    }
    props.forEach((k, s) -> addIf(b, TIMESTAMPS.contains(k) ? timestamp(k) : type(k, s, Repetition.OPTIONAL)));
    return b.named("stac_item");
  }

  private static void addIf(Types.MessageTypeBuilder b, Type t) {
    if (t != null) b.addField(t);
  }

  /** The shape a stored column came from (timestamps read as text, as in the items). */
  static Shape shapeOf(Type t) {
    if (t.isPrimitive()) {
      var p = t.asPrimitiveType();
      return switch (p.getPrimitiveTypeName()) {
        case BOOLEAN -> Leaf.BOOLEAN;
        case INT64 -> p.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ? Leaf.STRING : Leaf.LONG;
        case DOUBLE -> Leaf.DOUBLE;
        default -> Leaf.STRING;
      };
    }
    GroupType g = t.asGroupType();
    if (LogicalTypeAnnotation.listType().equals(g.getLogicalTypeAnnotation())) {
      return new ListOf(shapeOf(g.getType(0).asGroupType().getType(0)));
    }
    TreeMap<String, Shape> f = new TreeMap<>();
    for (Type c : g.getFields()) f.put(c.getName(), shapeOf(c));
    return new StructOf(f);
  }

  static Shape shape(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return Leaf.NULL;
    if (v.isTextual()) return Leaf.STRING;
    if (v.isBoolean()) return Leaf.BOOLEAN;
    if (v.isIntegralNumber()) return v.canConvertToLong() ? Leaf.LONG : Leaf.DOUBLE;
    if (v.isNumber()) return Leaf.DOUBLE;
    if (v.isArray()) {
      Shape e = Leaf.NULL;
      for (JsonNode x : v) e = unify(e, shape(x), "array element");
      return new ListOf(e);
    }
    if (v.isObject()) {
      TreeMap<String, Shape> f = new TreeMap<>();
      v.fields().forEachRemaining(e -> f.merge(e.getKey(), shape(e.getValue()), (a, b) -> unify(a, b, e.getKey())));
      return new StructOf(f);
    }
    throw new CatalogException(null, "unsupported JSON value " + v);
  }

  static Shape unify(Shape a, Shape b, String where) {
    if (a == Leaf.NULL) return b;
    if (b == Leaf.NULL || a.equals(b)) return a;
    if ((a == Leaf.LONG && b == Leaf.DOUBLE) || (a == Leaf.DOUBLE && b == Leaf.LONG)) return Leaf.DOUBLE;
    if (a instanceof ListOf x && b instanceof ListOf y) return new ListOf(unify(x.element(), y.element(), where + "[]"));
    if (a instanceof StructOf x && b instanceof StructOf y) {
      TreeMap<String, Shape> f = new TreeMap<>(x.fields());
      y.fields().forEach((k, s) -> f.merge(k, s, (p, q) -> unify(p, q, where + "." + k)));
      return new StructOf(f);
    }
    throw new CatalogException(where, "values of different types across items (" + name(a) + " and " + name(b)
        + "); a Parquet column has one type");
  }

  private static String name(Shape s) {
    return s instanceof Leaf l ? l.name().toLowerCase() : s instanceof ListOf ? "array" : "object";
  }

  /** The Parquet type of a shape; null for an object that never has a field (Parquet has no empty struct). */
  static Type type(String name, Shape s, Repetition rep) {
    if (s instanceof Leaf l) {
      return switch (l) {
        case NULL, STRING -> Types.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(name);
        case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(name);
        case LONG -> Types.primitive(PrimitiveTypeName.INT64, rep).named(name);
        case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(name);
      };
    }
    if (s instanceof ListOf l) {
      Type element = type("element", l.element(), Repetition.OPTIONAL);
      if (element == null) element = type("element", Leaf.STRING, Repetition.OPTIONAL);
      return Types.buildGroup(rep).as(LogicalTypeAnnotation.listType())
          .addField(Types.repeatedGroup().addField(element).named("list")).named(name);
    }
    StructOf st = (StructOf) s;
    List<Type> fields = new ArrayList<>();
    st.fields().forEach((k, v) -> {
      Type t = type(k, v, Repetition.OPTIONAL);
      if (t != null) fields.add(t);
    });
    if (fields.isEmpty()) return null;
    return Types.buildGroup(rep).addFields(fields.toArray(Type[]::new)).named(name);
  }

  static Type timestamp(String name) {
    return Types.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS)).named(name);
  }
}
