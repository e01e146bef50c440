package org.d4c.catalog;

import org.d4c.geoparquet.GeoMetadata;
import org.d4c.geoparquet.ParquetWriters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.d4c.core.json.CanonicalJson;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;

/**
 * catalog.parquet, the stac-geoparquet file: one row per STAC Item (see {@link ItemColumns} for the columns),
 * GeoParquet 1.1 {@code geo} metadata (WKB {@code geometry}, {@code bbox} covering), and the STAC Collections in the
 * file metadata under {@code stac-geoparquet}. Written Hadoop-free with parquet-java; read back with {@link
 * ParquetPages}. The same items and collections always give the same bytes.
 */
public final class CatalogParquet {
  public static final String FILE_NAME = "catalog.parquet";
  /** File-metadata key of the stac-geoparquet metadata. */
  public static final String METADATA_KEY = "stac-geoparquet";
  /**
   * The stac-geoparquet metadata version written. The published JSON Schema only accepts "1.0.0" (the spec text also
   * allows "1.1.0"); "1.0.0" with the {@code collections} map is also what stac-geoparquet (Python) and rustac write.
   */
  public static final String STAC_GEOPARQUET_VERSION = "1.0.0";
  public static final String GEOPARQUET_VERSION = "1.1.0";
  static final int ZSTD_LEVEL = 3;
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
  private static final ObjectMapper COMPACT = CanonicalJson.mapper().copy().disable(SerializationFeature.INDENT_OUTPUT);

  /** What a catalog.parquet holds: items in row order, the collections by id, and its key-value metadata. */
  public record Contents(List<ObjectNode> items, Map<String, ObjectNode> collections, Map<String, String> keyValue,
      MessageType schema, List<Long> rowGroupRows) {}

  private CatalogParquet() {}

  /**
   * Writes the items (already sorted) and collections to {@code file}, atomically: a temporary file in the same folder
   * is moved over it, so readers see the old file or the new one. Row groups are cut by {@link RowGroups}.
   */
  public static void write(Path file, List<ObjectNode> items, Map<String, ObjectNode> collections) {
    if (items.isEmpty()) throw new CatalogException(file.toString(), "a catalog needs at least one item");
    MessageType schema = ItemColumns.schemaFor(items);
    Map<String, String> kv = keyValue(geoMetadata(items, null), collections);
    splice(file, null, 0, 0, items, schema, kv);
  }

  /**
   * Writes {@code file} as: row groups {@code [0, from)} of {@code old}, then {@code rows} cut into new row groups,
   * then row groups {@code [to, n)} of {@code old} (copied byte for byte; {@code old} may be null for none).
   */
  static void splice(Path file, Index old, int from, int to, List<ObjectNode> rows, MessageType schema, Map<String, String> kv) {
    Path dir = file.toAbsolutePath().getParent();
    List<Path> temps = new ArrayList<>();
    try {
      List<RowGroups.Piece> pieces = new ArrayList<>();
      if (old != null) for (int g = 0; g < from; g++) pieces.add(new RowGroups.Piece(old.file(), old.footer().getRow_groups().get(g)));
      org.apache.parquet.format.FileMetaData template = null;
      for (List<ObjectNode> group : RowGroups.split(rows, RowGroups.modulus())) {
        Path tmp = dir.resolve(".catalog-rowgroup." + UUID.randomUUID() + ".tmp");
        temps.add(tmp);
        writeGroupFile(tmp, group, schema);
        org.apache.parquet.format.FileMetaData f = RowGroups.footer(tmp);
        if (f.getRow_groupsSize() != 1) throw new IllegalStateException("expected one row group in " + tmp);
        if (template == null) template = f;
        pieces.add(new RowGroups.Piece(tmp, f.getRow_groups().get(0)));
      }
      if (old != null) for (int g = to; g < old.footer().getRow_groupsSize(); g++) pieces.add(new RowGroups.Piece(old.file(), old.footer().getRow_groups().get(g)));
      if (template == null) template = old.footer();
      RowGroups.assemble(file, template, pieces, kv);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      for (Path t : temps) {
        try {
          Files.deleteIfExists(t);
        } catch (IOException ignored) {
          // a hidden temporary file
        }
      }
    }
  }

  /** One row group of rows in a file of its own (parquet-java, Hadoop-free). */
  private static void writeGroupFile(Path tmp, List<ObjectNode> rows, MessageType schema) throws IOException {
    try (ParquetWriter<ObjectNode> w = ParquetWriters.builder(new LocalOutputFile(tmp), new ItemWriteSupport(schema), ZSTD_LEVEL)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .withRowGroupRowCountLimit(Integer.MAX_VALUE)
        .withRowGroupSize(Long.MAX_VALUE)
        .build()) {
      for (ObjectNode item : rows) w.write(item);
    }
  }

  /** The file metadata of a catalog: geo, stac-geoparquet, how row groups are cut, the writer. */
  static Map<String, String> keyValue(ObjectNode geo, Map<String, ObjectNode> collections) {
    Map<String, String> kv = new TreeMap<>();
    kv.put("geo", compact(geo));
    try { // the collections are canonical trees already and the mapper sorts keys: no second normalising pass
      kv.put(METADATA_KEY, COMPACT.writeValueAsString(stacGeoparquetMetadata(collections)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    kv.put(RowGroups.MARKER_KEY, RowGroups.marker(RowGroups.modulus()));
    kv.put("writer.model.name", Catalog.WRITER);
    return kv;
  }

  /** geo metadata for these items, unioned with what {@code previous} (a geo JSON, or null) already covers. */
  static ObjectNode geoMetadata(List<ObjectNode> items, JsonNode previous) {
    TreeSet<String> types = new TreeSet<>();
    Envelope extent = new Envelope();
    if (previous != null) {
      JsonNode col = previous.path("columns").path("geometry");
      col.path("geometry_types").forEach(t -> types.add(t.asText()));
      JsonNode b = col.path("bbox");
      if (b.size() == 4) extent.expandToInclude(new Envelope(b.get(0).doubleValue(), b.get(2).doubleValue(), b.get(1).doubleValue(), b.get(3).doubleValue()));
    }
    for (ObjectNode i : items) {
      if (!i.path("geometry").isObject()) continue; // a null geometry adds no type and no extent
      types.add(i.path("geometry").path("type").asText());
      JsonNode b = i.path("bbox");
      extent.expandToInclude(new Envelope(b.get(0).doubleValue(), b.get(2).doubleValue(), b.get(1).doubleValue(), b.get(3).doubleValue()));
    }
    return geoMetadata(types, extent);
  }

  /** What {@link Catalog} needs to change a catalog.parquet without decoding all of it. */
  record Index(Path file, org.apache.parquet.format.FileMetaData footer, org.apache.parquet.hadoop.metadata.ParquetMetadata metadata,
      MessageType schema, Map<String, String> keyValue, Map<String, ObjectNode> collections, List<List<String[]>> keys) {
    /** The (collection, id) of the first row of row group g. */
    String[] first(int g) {
      return keys.get(g).get(0);
    }
  }

  /** The footer, and the collection and id of every row, by row group. */
  static Index index(Path file) {
    String where = file.toString();
    try (ParquetPages p = ParquetPages.open(file)) {
      MessageType schema = p.schema();
      for (String c : List.of("id", "collection", "geometry", "bbox")) {
        if (!schema.containsField(c)) throw new CatalogException(where, "not a stac-geoparquet catalog: no \"" + c + "\" column");
      }
      Map<String, String> kv = p.keyValueMetadata();
      Map<String, ObjectNode> collections = collections(where, kv); // fails clearly on a foreign file
      var idCol = schema.getColumnDescription(new String[] {"id"});
      var collCol = schema.getColumnDescription(new String[] {"collection"});
      List<List<String[]>> keys = new ArrayList<>();
      for (int g = 0; g < p.rowGroups().size(); g++) {
        PageReadStore pages = p.rowGroup(g, List.of(idCol, collCol));
        var store = new org.apache.parquet.column.impl.ColumnReadStoreImpl(pages,
            new GroupRecordConverter(schema).getRootConverter(), schema, p.createdBy());
        int n = (int) pages.getRowCount();
        String[] ids = strings(store.getColumnReader(idCol), idCol, n);
        String[] cols = strings(store.getColumnReader(collCol), collCol, n);
        List<String[]> k = new ArrayList<>(n);
        for (int i = 0; i < n; i++) k.add(new String[] {cols[i] == null ? "" : cols[i], ids[i]});
        keys.add(k);
      }
      return new Index(file, RowGroups.footer(file), p.footer(), schema, kv, collections, keys);
    } catch (IOException | RuntimeException e) {
      if (e instanceof CatalogException c) throw c;
      throw new CatalogException(where, "not a readable stac-geoparquet file: " + e.getMessage(), e);
    }
  }

  private static String[] strings(org.apache.parquet.column.ColumnReader r, org.apache.parquet.column.ColumnDescriptor d, int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      if (r.getCurrentDefinitionLevel() == d.getMaxDefinitionLevel()) out[i] = r.getBinary().toStringUsingUTF8();
      r.consume();
    }
    return out;
  }

  /** The items of row groups {@code [from, to)}. */
  static List<ObjectNode> readGroups(Index index, int from, int to) {
    long first = 0;
    for (int g = 0; g < from; g++) first += index.keys().get(g).size();
    long last = first;
    for (int g = from; g < to; g++) last += index.keys().get(g).size();
    Set<Long> rows = new java.util.HashSet<>();
    for (long r = first; r < last; r++) rows.add(r);
    return read(index.file(), rows, index.metadata()).items();
  }

  /** Reads every row back as a STAC Item (JSON, canonical key order) with the collections. */
  public static Contents read(Path file) {
    return read(file, null);
  }

  /**
   * Reads the rows whose 0-based numbers are in {@code rows} (all when null), skipping row groups without any.
   * A file that is not a stac-geoparquet catalog gives a {@link CatalogException} naming what is wrong.
   */
  public static Contents read(Path file, Set<Long> rows) {
    return read(file, rows, null);
  }

  private static Contents read(Path file, Set<Long> rows, org.apache.parquet.hadoop.metadata.ParquetMetadata footer) {
    String where = file.toString();
    try (ParquetPages p = footer == null ? ParquetPages.open(file) : ParquetPages.open(file, footer)) {
      Map<String, String> kv = p.keyValueMetadata();
      Map<String, ObjectNode> collections = collections(where, kv);
      MessageType schema = p.schema();
      for (String required : List.of("id", "geometry", "bbox")) {
        if (!schema.containsField(required)) {
          throw new CatalogException(where, "not a stac-geoparquet file: no \"" + required + "\" column");
        }
      }
      if (!kv.containsKey("geo")) throw new CatalogException(where, "not GeoParquet: no \"geo\" key in the file metadata");
      MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
      int groups = p.rowGroups().size();
      long[] first = new long[groups + 1];
      for (int g = 0; g < groups; g++) first[g + 1] = first[g] + p.rowGroups().get(g).getRowCount();
      // Row groups decode independently (positional reads): in parallel, then concatenated in file order.
      List<List<ObjectNode>> parts = java.util.stream.IntStream.range(0, groups).parallel().mapToObj(g -> {
        long from = first[g];
        long count = first[g + 1] - from;
        List<ObjectNode> out = new ArrayList<>();
        if (rows != null && rows.stream().noneMatch(r -> r >= from && r < from + count)) return out;
        try {
          RecordReader<Group> reader = io.getRecordReader(p.rowGroup(g, null), new GroupRecordConverter(schema));
          for (long i = 0; i < count; i++) {
            Group row = reader.read();
            if (rows == null || rows.contains(from + i)) out.add(toItem(row, schema, where + ": row " + (from + i)));
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return out;
      }).toList();
      List<ObjectNode> items = new ArrayList<>();
      parts.forEach(items::addAll);
      List<Long> sizes = new ArrayList<>();
      for (int g = 0; g < groups; g++) sizes.add(first[g + 1] - first[g]);
      return new Contents(items, collections, kv, schema, sizes);
    } catch (IOException | RuntimeException e) {
      if (e instanceof CatalogException c) throw c;
      Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
      throw new CatalogException(where, "not a readable stac-geoparquet file: " + cause.getMessage(), e);
    }
  }

  static Map<String, ObjectNode> collections(String where, Map<String, String> kv) {
    String meta = kv.get(METADATA_KEY);
    if (meta == null) throw new CatalogException(where, "not a stac-geoparquet catalog: no \"" + METADATA_KEY + "\" key in the file metadata");
    JsonNode tree;
    try {
      tree = CanonicalJson.mapper().readTree(meta);
    } catch (IOException e) {
      throw new CatalogException(where, METADATA_KEY + " metadata is not JSON: " + e.getMessage());
    }
    Map<String, ObjectNode> out = new TreeMap<>();
    // Parsed with exact decimals, the canonical JSON d4c writes is already in canonical node form.
    tree.path("collections").fields().forEachRemaining(e -> {
      if (e.getValue().isObject()) out.put(e.getKey(), (ObjectNode) e.getValue());
    });
    return out;
  }

  // ---- Parquet row -> STAC Item ---------------------------------------------------------------------------------

  static ObjectNode toItem(Group row, MessageType schema, String where) {
    ObjectNode item = NODES.objectNode();
    ObjectNode props = NODES.objectNode();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Type t = schema.getType(i);
      String name = t.getName();
      if (row.getFieldRepetitionCount(i) == 0) continue;
      switch (name) {
        case "geometry" -> item.set("geometry", GeoJson.toJson(GeoJson.fromWkb(row.getBinary(i, 0).getBytes(), where)));
        case "bbox" -> {
          Group b = row.getGroup(i, 0);
          ArrayNode a = item.putArray("bbox");
          for (String f : ItemColumns.BBOX_FIELDS) a.add(Numbers.of(b.getDouble(f, 0)));
        }
        default -> {
          JsonNode v = value(row, i, t);
          if (ItemColumns.TOP_LEVEL.contains(name)) item.set(name, v);
          else props.set(name, v);
        }
      }
    }
    // A null geometry (and its null bbox struct, skipped above) is an item without location: "geometry": null, no bbox.
    if (!item.has("geometry")) item.putNull("geometry");
    if (!props.has("datetime")) props.putNull("datetime"); // STAC requires the key; null means start/end are set
    item.set("properties", props);
    return item; // already in canonical node form (Numbers), so it equals the item that was written
  }

  private static JsonNode value(Group g, int field, Type t) {
    if (t.isPrimitive()) return primitive(g, field, t.asPrimitiveType());
    GroupType gt = t.asGroupType();
    Group v = g.getGroup(field, 0);
    if (LogicalTypeAnnotation.listType().equals(gt.getLogicalTypeAnnotation())) {
      ArrayNode a = NODES.arrayNode();
      GroupType rep = gt.getType(0).asGroupType();
      for (int j = 0; j < v.getFieldRepetitionCount(0); j++) {
        Group entry = v.getGroup(0, j);
        a.add(entry.getFieldRepetitionCount(0) == 0 ? NODES.nullNode() : value(entry, 0, rep.getType(0)));
      }
      return a;
    }
    ObjectNode o = NODES.objectNode();
    for (int j = 0; j < gt.getFieldCount(); j++) {
      if (v.getFieldRepetitionCount(j) > 0) o.set(gt.getFieldName(j), value(v, j, gt.getType(j)));
    }
    return o;
  }

  private static JsonNode primitive(Group g, int field, PrimitiveType p) {
    LogicalTypeAnnotation l = p.getLogicalTypeAnnotation();
    return switch (p.getPrimitiveTypeName()) {
      case BOOLEAN -> NODES.booleanNode(g.getBoolean(field, 0));
      case INT32 -> Numbers.of(g.getInteger(field, 0));
      case INT64 -> l instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
          ? NODES.textNode(formatInstant(instant(g.getLong(field, 0), ts.getUnit())))
          : Numbers.of(g.getLong(field, 0));
      case FLOAT -> Numbers.of(g.getFloat(field, 0));
      case DOUBLE -> Numbers.of(g.getDouble(field, 0));
      case BINARY, FIXED_LEN_BYTE_ARRAY -> l instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
          ? NODES.textNode(g.getString(field, 0))
          : NODES.textNode(Base64.getEncoder().encodeToString(g.getBinary(field, 0).getBytes()));
      case INT96 -> throw new CatalogException(null, "INT96 timestamps are not supported: " + p.getName());
    };
  }

  private static Instant instant(long v, LogicalTypeAnnotation.TimeUnit unit) {
    return switch (unit) {
      case MILLIS -> Instant.ofEpochMilli(v);
      case MICROS -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1_000L);
      case NANOS -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L));
    };
  }

  /** RFC 3339 in UTC with a "Z", fractional seconds only when there are any: 2023-02-03T00:00:00Z. */
  public static String formatInstant(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }

  /** Parses an RFC 3339 date-time; null when it is not one. */
  public static Instant parseInstant(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  // ---- STAC Item -> Parquet row ---------------------------------------------------------------------------------

  private static final class ItemWriteSupport extends WriteSupport<ObjectNode> {
    private final MessageType schema;
    private RecordConsumer out;

    ItemWriteSupport(MessageType schema) {
      this.schema = schema;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      throw new UnsupportedOperationException("Hadoop-free writer: use init(ParquetConfiguration)");
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
      return new WriteContext(schema, new HashMap<>());
    }

    @Override
    public String getName() {
      return "d4c";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.out = recordConsumer;
    }

    @Override
    public void write(ObjectNode item) {
      String where = "item " + item.path("id").asText("?");
      JsonNode props = item.path("properties");
      // A null geometry (an item of tables only) is a null WKB value and a null bbox struct.
      boolean located = item.hasNonNull("geometry");
      Geometry geometry = located ? GeoJson.fromJson(item.get("geometry"), where + ": geometry") : null;
      JsonNode bbox = item.path("bbox");
      if (located && (!bbox.isArray() || bbox.size() != 4)) throw new CatalogException(where, "bbox: expected 4 numbers (2D)");
      if (!located && !bbox.isMissingNode()) throw new CatalogException(where, "bbox: an item with a null geometry has no bbox");
      out.startMessage();
      for (int i = 0; i < schema.getFieldCount(); i++) {
        Type t = schema.getType(i);
        String name = t.getName();
        JsonNode v = ItemColumns.TOP_LEVEL.contains(name) ? item.get(name) : props.get(name);
        if (!located && (name.equals("geometry") || name.equals("bbox"))) continue;
        if (name.equals("geometry")) {
          out.startField(name, i);
          out.addBinary(Binary.fromConstantByteArray(GeoJson.toWkb(geometry)));
          out.endField(name, i);
          continue;
        }
        if (name.equals("bbox")) {
          out.startField(name, i);
          out.startGroup();
          for (int j = 0; j < 4; j++) {
            out.startField(ItemColumns.BBOX_FIELDS.get(j), j);
            out.addDouble(bbox.get(j).doubleValue());
            out.endField(ItemColumns.BBOX_FIELDS.get(j), j);
          }
          out.endGroup();
          out.endField(name, i);
          continue;
        }
        if (v == null || v.isNull()) continue;
        out.startField(name, i);
        writeValue(t, v, where + ": " + name);
        out.endField(name, i);
      }
      out.endMessage();
    }

    private void writeValue(Type t, JsonNode v, String where) {
      if (t.isPrimitive()) {
        PrimitiveType p = t.asPrimitiveType();
        switch (p.getPrimitiveTypeName()) {
          case BOOLEAN -> out.addBoolean(v.booleanValue());
          case INT64 -> {
            if (p.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
              Instant ts = parseInstant(v.asText());
              if (ts == null) throw new CatalogException(where, "expected an RFC 3339 date-time, got " + v);
              out.addLong(micros(ts));
            } else {
              out.addLong(v.longValue());
            }
          }
          case DOUBLE -> out.addDouble(v.doubleValue());
          case BINARY -> out.addBinary(Binary.fromString(v.isTextual() ? v.textValue() : v.toString()));
          default -> throw new IllegalStateException("unexpected column type " + p);
        }
        return;
      }
      GroupType g = t.asGroupType();
      out.startGroup();
      if (LogicalTypeAnnotation.listType().equals(g.getLogicalTypeAnnotation())) {
        if (v.size() > 0) {
          Type element = g.getType(0).asGroupType().getType(0);
          out.startField("list", 0);
          int k = 0;
          for (JsonNode e : v) {
            out.startGroup();
            if (!e.isNull()) {
              out.startField("element", 0);
              writeValue(element, e, where + "[" + k + "]");
              out.endField("element", 0);
            }
            out.endGroup();
            k++;
          }
          out.endField("list", 0);
        }
      } else {
        for (int j = 0; j < g.getFieldCount(); j++) {
          JsonNode c = v.get(g.getFieldName(j));
          if (c == null || c.isNull()) continue;
          out.startField(g.getFieldName(j), j);
          writeValue(g.getType(j), c, where + "." + g.getFieldName(j));
          out.endField(g.getFieldName(j), j);
        }
      }
      out.endGroup();
    }

    @Override
    public FinalizedWriteContext finalizeWrite() {
      return new FinalizedWriteContext(new HashMap<>()); // the file metadata is written by RowGroups.assemble
    }
  }

  /**
   * GeoParquet 1.1 metadata: WKB geometry in OGC:CRS84 (crs omitted), its types, the extent, the bbox covering. When
   * every item has a null geometry there is no extent: the optional {@code bbox} is left out.
   */
  static ObjectNode geoMetadata(Set<String> geometryTypes, Envelope extent) {
    GeoMetadata g = GeoMetadata.forColumn("geometry").geometryTypes(geometryTypes);
    if (!extent.isNull()) g.bbox(extent.getMinX(), extent.getMinY(), extent.getMaxX(), extent.getMaxY());
    return g.toJson();
  }


  static ObjectNode stacGeoparquetMetadata(Map<String, ObjectNode> collections) {
    ObjectNode m = NODES.objectNode();
    m.put("version", STAC_GEOPARQUET_VERSION);
    ObjectNode c = m.putObject("collections");
    new TreeMap<>(collections).forEach(c::set);
    return m;
  }

  static String compact(JsonNode tree) {
    try {
      return COMPACT.writeValueAsString(CanonicalJson.toTree(tree));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The collections of a catalog.parquet by id (LinkedHashMap in id order). */
  static Map<String, ObjectNode> sorted(Map<String, ObjectNode> m) {
    return new LinkedHashMap<>(new TreeMap<>(m));
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
