package org.d4c.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.schema.MessageType;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;

/**
 * Answers {@link SearchQuery}s over a catalog.parquet with DuckDB (in-process, through JDBC): the bbox, datetime,
 * collection and text filters run as SQL over the Parquet columns (the {@code bbox} covering struct, the native
 * timestamps), then candidates of a bbox query are checked against their footprint with JTS. Full STAC Items for
 * JSON output are read back with {@link CatalogParquet}, only from the row groups that hold hits. Keep one instance
 * open for repeated queries: DuckDB then keeps the file's metadata cached.
 */
public final class CatalogSearch implements AutoCloseable {
  /** One matching item, with what a table shows; {@code bbox} is null for an item with a null geometry. */
  public record Hit(long row, String id, String collection, String version, String datetime, String title, double[] bbox) {}

  /** The matches (at most the query's limit, in collection then version order) and how many there were in all. */
  public record Result(List<Hit> hits, long matched) {}

  private final Path parquet;
  private final Connection db;
  private final Set<String> columns = new HashSet<>();

  private CatalogSearch(Path parquet, Connection db, MessageType schema) {
    this.parquet = parquet;
    this.db = db;
    schema.getFields().forEach(f -> columns.add(f.getName()));
  }

  public static CatalogSearch open(Path parquet) {
    MessageType schema;
    try (ParquetPages p = ParquetPages.open(parquet)) {
      schema = p.schema();
      if (!p.keyValueMetadata().containsKey(CatalogParquet.METADATA_KEY)) {
        throw new CatalogException(parquet.toString(), "not a stac-geoparquet catalog: no \"" + CatalogParquet.METADATA_KEY + "\" metadata");
      }
    } catch (java.io.IOException e) {
      throw new CatalogException(parquet.toString(), "not a readable Parquet file: " + e.getMessage());
    }
    try {
      Class.forName("org.duckdb.DuckDBDriver");
      Connection c = DriverManager.getConnection("jdbc:duckdb:");
      try (var s = c.createStatement()) {
        s.execute("SET enable_object_cache = true");
      }
      return new CatalogSearch(parquet, c, schema);
    } catch (SQLException | ClassNotFoundException e) {
      throw new IllegalStateException("cannot start DuckDB: " + e.getMessage(), e);
    }
  }

  public Result search(SearchQuery q) {
    StringBuilder sql = new StringBuilder("SELECT file_row_number, id, collection, ")
        .append(col("version")).append(", ").append(col("title")).append(", ")
        .append(epoch("datetime")).append(", ").append(epoch("start_datetime")).append(", ").append(epoch("end_datetime"))
        .append(", bbox.xmin, bbox.ymin, bbox.xmax, bbox.ymax")
        .append(q.bbox() != null ? ", geometry" : "")
        .append(" FROM read_parquet(").append(literal(parquet.toAbsolutePath().toString())).append(", file_row_number = true) WHERE true");
    List<String> params = new ArrayList<>();
    if (!q.collections().isEmpty()) {
      sql.append(" AND collection IN (").append(String.join(", ", q.collections().stream().map(c -> "?").toList())).append(")");
      params.addAll(q.collections());
    }
    double[] b = q.bbox();
    if (b != null) {
      sql.append(" AND bbox.ymin <= ").append(b[3]).append(" AND bbox.ymax >= ").append(b[1]);
      if (b[0] <= b[2]) sql.append(" AND bbox.xmin <= ").append(b[2]).append(" AND bbox.xmax >= ").append(b[0]);
      else sql.append(" AND (bbox.xmax >= ").append(b[0]).append(" OR bbox.xmin <= ").append(b[2]).append(")");
    }
    String startCol = columns.contains("start_datetime") ? "epoch_us(coalesce(start_datetime, datetime))" : "epoch_us(datetime)";
    String endCol = columns.contains("end_datetime") ? "epoch_us(coalesce(end_datetime, datetime))" : "epoch_us(datetime)";
    if (q.start() != null) sql.append(" AND ").append(endCol).append(" >= ").append(CatalogParquet.micros(q.start()));
    if (q.end() != null) sql.append(" AND ").append(startCol).append(" <= ").append(CatalogParquet.micros(q.end()));
    if (!q.text().isEmpty()) {
      String doc = "lower(concat_ws(' ', id, collection, " + col("title") + ", " + col("description") + ", "
          + (columns.contains("keywords") ? "array_to_string(keywords, ' ')" : "''") + "))";
      List<String> alternatives = new ArrayList<>();
      for (List<String> group : q.text()) {
        alternatives.add("(" + String.join(" AND ", group.stream().map(t -> "contains(" + doc + ", ?)").toList()) + ")");
        params.addAll(group);
      }
      sql.append(" AND (").append(String.join(" OR ", alternatives)).append(")");
    }
    List<Geometry> boxes = b == null ? List.of() : queryBoxes(b);
    List<Hit> hits = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) ps.setString(i + 1, params.get(i));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (b != null) {
            // A null geometry is nowhere: it never intersects (SQL already drops it, as its bbox is null).
            byte[] wkb = rs.getBytes(13);
            if (wkb == null) continue;
            Geometry g = GeoJson.fromWkb(wkb, "row " + rs.getLong(1));
            if (boxes.stream().noneMatch(g::intersects)) continue;
          }
          double[] box = {rs.getDouble(9), rs.getDouble(10), rs.getDouble(11), rs.getDouble(12)};
          if (rs.wasNull()) box = null;
          hits.add(new Hit(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), when(rs), rs.getString(5), box));
        }
      }
    } catch (SQLException e) {
      throw new CatalogException(parquet.toString(), "search failed: " + e.getMessage(), e);
    }
    hits.sort(Comparator.comparing(Hit::collection)
        .thenComparing((Hit h) -> h.version() == null ? "" : h.version(), Semver.ORDER).thenComparing(Hit::id));
    long matched = hits.size();
    return new Result(List.copyOf(hits.subList(0, (int) Math.min(q.limit(), hits.size()))), matched);
  }

  /** The full STAC Items of these hits, in the same order, with hrefs resolved against {@code base} when given. */
  public List<ObjectNode> items(List<Hit> hits, String base) {
    Set<Long> rows = new HashSet<>();
    hits.forEach(h -> rows.add(h.row()));
    Map<String, ObjectNode> byId = new HashMap<>();
    for (ObjectNode i : CatalogParquet.read(parquet, rows).items()) byId.put(i.path("id").asText(), i);
    List<ObjectNode> out = new ArrayList<>();
    for (Hit h : hits) out.add(base == null ? byId.get(h.id()) : resolve(byId.get(h.id()), base));
    return out;
  }

  private static ObjectNode resolve(ObjectNode doc, String base) {
    java.net.URI b = java.net.URI.create(base.endsWith("/") ? base : base + "/");
    ObjectNode out = doc.deepCopy();
    java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> fix = o -> {
      if (o instanceof ObjectNode on && on.path("href").isTextual() && !Hrefs.isAbsolute(on.get("href").asText())) {
        on.put("href", b.resolve(on.get("href").asText()).toString());
      }
    };
    out.path("links").forEach(fix);
    out.path("assets").forEach(a -> {
      fix.accept(a);
      a.path("alternate").forEach(fix);
    });
    return out;
  }

  private String col(String name) {
    return columns.contains(name) ? "\"" + name + "\"" : "NULL";
  }

  private String epoch(String name) {
    return columns.contains(name) ? "epoch_us(\"" + name + "\")" : "NULL";
  }

  private static String when(ResultSet rs) throws SQLException {
    long dt = rs.getLong(6);
    if (!rs.wasNull()) return CatalogParquet.formatInstant(instant(dt));
    long s = rs.getLong(7);
    boolean noStart = rs.wasNull();
    long e = rs.getLong(8);
    boolean noEnd = rs.wasNull();
    return (noStart ? ".." : CatalogParquet.formatInstant(instant(s))) + "/" + (noEnd ? ".." : CatalogParquet.formatInstant(instant(e)));
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static List<Geometry> queryBoxes(double[] b) {
    var f = GeoJson.factory();
    if (b[0] <= b[2]) return List.of(f.toGeometry(new Envelope(b[0], b[2], b[1], b[3])));
    return List.of(f.toGeometry(new Envelope(b[0], 180, b[1], b[3])), f.toGeometry(new Envelope(-180, b[2], b[1], b[3])));
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (SQLException ignored) {
      // closing an in-memory database
    }
  }
}
