package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryCollection;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.MultiLineString;
import org.locationtech.jts.geom.MultiPoint;
import org.locationtech.jts.geom.MultiPolygon;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.ByteOrderValues;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/** GeoJSON (RFC 7946) geometry objects to and from JTS, and JTS to and from ISO WKB (2D, little-endian). */
public final class GeoJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
  private static final GeometryFactory FACTORY = new GeometryFactory();

  private GeoJson() {}

  public static GeometryFactory factory() {
    return FACTORY;
  }

  public static ObjectNode toJson(Geometry g) {
    ObjectNode o = NODES.objectNode();
    o.put("type", g.getGeometryType().equals(Geometry.TYPENAME_LINEARRING) ? "LineString" : g.getGeometryType());
    if (g instanceof GeometryCollection c && !(g instanceof MultiPoint || g instanceof MultiLineString || g instanceof MultiPolygon)) {
      ArrayNode a = o.putArray("geometries");
      for (int i = 0; i < c.getNumGeometries(); i++) a.add(toJson(c.getGeometryN(i)));
      return o;
    }
    o.set("coordinates", coordinates(g));
    return o;
  }

  private static JsonNode coordinates(Geometry g) {
    if (g instanceof Point p) return position(p.getCoordinate());
    if (g instanceof LineString l) return positions(l.getCoordinates());
    if (g instanceof Polygon p) {
      ArrayNode a = NODES.arrayNode();
      a.add(positions(p.getExteriorRing().getCoordinates()));
      for (int i = 0; i < p.getNumInteriorRing(); i++) a.add(positions(p.getInteriorRingN(i).getCoordinates()));
      return a;
    }
    ArrayNode a = NODES.arrayNode(); // Multi*
    for (int i = 0; i < g.getNumGeometries(); i++) a.add(coordinates(g.getGeometryN(i)));
    return a;
  }

  private static ArrayNode positions(Coordinate[] cs) {
    ArrayNode a = NODES.arrayNode(cs.length);
    for (Coordinate c : cs) a.add(position(c));
    return a;
  }

  private static ArrayNode position(Coordinate c) {
    return NODES.arrayNode(2).add(Numbers.of(c.getX())).add(Numbers.of(c.getY()));
  }

  /** Parses a GeoJSON geometry object; {@code where} names it in error messages. */
  public static Geometry fromJson(JsonNode g, String where) {
    if (g == null || !g.isObject()) throw new CatalogException(where, "expected a GeoJSON geometry object");
    String type = g.path("type").asText("");
    JsonNode c = g.get("coordinates");
    try {
      return switch (type) {
        case "Point" -> FACTORY.createPoint(coord(c));
        case "LineString" -> FACTORY.createLineString(coords(c));
        case "Polygon" -> polygon(c);
        case "MultiPoint" -> FACTORY.createMultiPointFromCoords(coords(c));
        case "MultiLineString" -> {
          List<LineString> ls = new ArrayList<>();
          for (JsonNode l : c) ls.add(FACTORY.createLineString(coords(l)));
          yield FACTORY.createMultiLineString(ls.toArray(LineString[]::new));
        }
        case "MultiPolygon" -> {
          List<Polygon> ps = new ArrayList<>();
          for (JsonNode p : c) ps.add(polygon(p));
          yield FACTORY.createMultiPolygon(ps.toArray(Polygon[]::new));
        }
        case "GeometryCollection" -> {
          List<Geometry> gs = new ArrayList<>();
          for (JsonNode m : g.path("geometries")) gs.add(fromJson(m, where));
          yield FACTORY.createGeometryCollection(gs.toArray(Geometry[]::new));
        }
        default -> throw new CatalogException(where, "unknown GeoJSON geometry type \"" + type + "\"");
      };
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CatalogException(where, "bad GeoJSON " + type + " coordinates: " + e.getMessage());
    }
  }

  private static Polygon polygon(JsonNode rings) {
    LinearRing shell = FACTORY.createLinearRing(coords(rings.get(0)));
    LinearRing[] holes = new LinearRing[rings.size() - 1];
    for (int i = 1; i < rings.size(); i++) holes[i - 1] = FACTORY.createLinearRing(coords(rings.get(i)));
    return FACTORY.createPolygon(shell, holes);
  }

  private static Coordinate[] coords(JsonNode a) {
    Coordinate[] out = new Coordinate[a.size()];
    for (int i = 0; i < a.size(); i++) out[i] = coord(a.get(i));
    return out;
  }

  private static Coordinate coord(JsonNode p) {
    if (p == null || !p.isArray() || p.size() < 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
      throw new IllegalArgumentException("a position is an array of 2 or 3 numbers, got " + p);
    }
    return new Coordinate(p.get(0).doubleValue(), p.get(1).doubleValue());
  }

  public static byte[] toWkb(Geometry g) {
    return new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN).write(g);
  }

  public static Geometry fromWkb(byte[] wkb, String where) {
    try {
      return new WKBReader(FACTORY).read(wkb);
    } catch (ParseException | RuntimeException e) {
      throw new CatalogException(where, "geometry is not valid WKB: " + e.getMessage());
    }
  }
}
