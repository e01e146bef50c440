package org.d4c.transforms.geoparquet;

import org.d4c.geoparquet.GeoMetadata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureSchema;
import org.d4c.transforms.feature.Field;
import org.d4c.transforms.feature.FieldType;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ByteOrderValues;
import org.locationtech.jts.io.WKBWriter;

/**
 * Turns features into Parquet records (attributes, WKB geometry, bbox covering struct) and, at the end, builds the
 * GeoParquet 1.1 {@code geo} metadata from what it has seen (geometry types, overall bbox).
 */
final class FeatureWriteSupport extends WriteSupport<Feature> {
  static final String BBOX = "bbox";
  private static final String[] BBOX_FIELDS = {"xmin", "ymin", "xmax", "ymax"};
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FeatureSchema schema;
  private final GeoParquetOptions options;
  private final JsonNode crs; // parsed PROJJSON, null for OGC:CRS84
  private final Map<String, String> extraCrsMetadata = new TreeMap<>();
  private final MessageType messageType;
  private final WKBWriter wkb = new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN);
  // The feature check() last scanned, so write() does not scan its WKB again.
  private Feature checked;
  private WkbScan.Info checkedInfo;
  private final TreeSet<String> geometryTypes = new TreeSet<>(); // sorted: deterministic JSON
  // The types seen, a few at most: the sorted set is searched only for a new one, not for every feature.
  private final java.util.List<String> seenTypes = new java.util.ArrayList<>();
  private double xmin = Double.POSITIVE_INFINITY;
  private double ymin = Double.POSITIVE_INFINITY;
  private double xmax = Double.NEGATIVE_INFINITY;
  private double ymax = Double.NEGATIVE_INFINITY;
  private long rows;
  private RecordConsumer out;

  FeatureWriteSupport(FeatureSchema schema, GeoParquetOptions options) {
    this.schema = schema;
    this.options = options;
    this.crs = parseCrs(options.crsProjJson());
    this.messageType = buildMessageType();
  }

  private static JsonNode parseCrs(String projJson) {
    if (projJson == null) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(projJson);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("crsProjJson is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("crsProjJson is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private MessageType buildMessageType() {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (Field f : schema.fields()) {
      b.addField(attributeType(f));
    }
    Types.PrimitiveBuilder<PrimitiveType> geom = Types.required(PrimitiveTypeName.BINARY);
    if (options.nativeGeometryType()) {
      geom = geom.as(LogicalTypeAnnotation.geometryType(nativeCrs()));
    }
    b.addField(geom.named(schema.geometryColumn()));
    Types.GroupBuilder<GroupType> bbox = Types.requiredGroup();
    for (String name : BBOX_FIELDS) {
      bbox = bbox.required(PrimitiveTypeName.DOUBLE).named(name);
    }
    b.addField(bbox.named(BBOX));
    return b.named("schema");
  }

  private static Type attributeType(Field f) {
    return switch (f.type()) {
      case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).named(f.name());
      case INT32 -> Types.optional(PrimitiveTypeName.INT32).named(f.name());
      case INT64 -> Types.optional(PrimitiveTypeName.INT64).named(f.name());
      case FLOAT -> Types.optional(PrimitiveTypeName.FLOAT).named(f.name());
      case DOUBLE -> Types.optional(PrimitiveTypeName.DOUBLE).named(f.name());
      case STRING -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(f.name());
      case DATE -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.dateType()).named(f.name());
      case TIMESTAMP -> Types.optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS)).named(f.name());
      case BINARY -> Types.optional(PrimitiveTypeName.BINARY).named(f.name());
    };
  }

  /**
   * The CRS string of the native GEOMETRY type. Parquet's convention is "OGC:CRS84" by default, an identifier, or
   * "projjson:KEY" naming a file key-value entry that holds the PROJJSON. We use the PROJJSON's own id
   * ("EPSG:3347") when it has one, else store it under a key.
   */
  private String nativeCrs() {
    if (crs == null) {
      return LogicalTypeAnnotation.DEFAULT_CRS;
    }
    JsonNode id = crs.has("id") ? crs.get("id") : crs.path("ids").path(0);
    if (id.hasNonNull("authority") && id.hasNonNull("code")) {
      return id.get("authority").asText() + ":" + id.get("code").asText();
    }
    String key = "projjson_crs_" + schema.geometryColumn();
    extraCrsMetadata.put(key, crs.toString());
    return "projjson:" + key;
  }

  MessageType messageType() {
    return messageType;
  }

  long rows() {
    return rows;
  }

  @Override
  public WriteContext init(Configuration configuration) {
    throw new UnsupportedOperationException("Hadoop-free writer: use init(ParquetConfiguration)");
  }

  @Override
  public WriteContext init(ParquetConfiguration configuration) {
    return new WriteContext(messageType, new HashMap<>());
  }

  @Override
  public String getName() {
    return options.createdBy();
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.out = recordConsumer;
  }

  /**
   * Rejects a feature the writer cannot take. Called before handing it to parquet-java, which aborts the whole file on
   * any exception thrown while writing a record.
   */
  void check(Feature f) {
    checkedInfo = validate(schema, f);
    checked = f;
  }

  /** Takes the result of {@link #validate} made elsewhere (another thread) for the next {@link #write} of {@code f}. */
  void checked(Feature f, WkbScan.Info info) {
    checked = f;
    checkedInfo = info;
  }

  /**
   * What {@link #check} checks, without state, so that it can run on another thread than the writer: returns the
   * scan of the feature's WKB (null when it has none, only a geometry).
   */
  static WkbScan.Info validate(FeatureSchema schema, Feature f) {
    WkbScan.Info info = f.wkb() == null ? null : WkbScan.scan(f.wkb());
    if (info != null ? info.box() == null : f.geometry() == null || f.geometry().isEmpty()) {
      throw new IllegalArgumentException("null or empty geometry in " + f);
    }
    if (f.valueCount() != schema.size()) {
      throw new IllegalArgumentException("feature has " + f.valueCount() + " values, schema has " + schema.size());
    }
    for (int i = 0; i < schema.size(); i++) {
      Object v = f.value(i);
      Field field = schema.field(i);
      if (v != null && !javaType(field.type()).isInstance(v)) {
        throw new IllegalArgumentException("field '" + field.name() + "' (" + field.type() + ") got a "
            + v.getClass().getName() + " in " + f);
      }
      try {
        if (v instanceof LocalDate d) {
          epochDay(d);
        } else if (v instanceof Instant t) {
          micros(t);
        }
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("field '" + field.name() + "': " + v + " is out of range in " + f, e);
      }
    }
    return info;
  }

  @Override
  public void write(Feature f) {
    // A feature that arrives as WKB (read back from a sorted run) is written as it is: the bytes JTS would write again.
    byte[] bytes = f.wkb();
    WkbScan.Info info = bytes == null ? null : f == checked ? checkedInfo : WkbScan.scan(bytes);
    double[] box;
    String type;
    if (info != null && info.box() != null) {
      box = info.box();
      type = info.type();
    } else {
      Geometry g = f.geometry();
      Envelope env = g.getEnvelopeInternal();
      box = new double[] {env.getMinX(), env.getMinY(), env.getMaxX(), env.getMaxY()};
      type = typeName(g);
      bytes = wkb.write(g);
    }
    out.startMessage();
    for (int i = 0; i < schema.size(); i++) {
      Object v = f.value(i);
      if (v != null) { // an absent optional field is a null
        Field field = schema.field(i);
        out.startField(field.name(), i);
        writeValue(field, v);
        out.endField(field.name(), i);
      }
    }
    int gi = schema.size();
    out.startField(schema.geometryColumn(), gi);
    out.addBinary(Binary.fromConstantByteArray(bytes));
    out.endField(schema.geometryColumn(), gi);
    out.startField(BBOX, gi + 1);
    out.startGroup();
    for (int j = 0; j < 4; j++) {
      out.startField(BBOX_FIELDS[j], j);
      out.addDouble(box[j]);
      out.endField(BBOX_FIELDS[j], j);
    }
    out.endGroup();
    out.endField(BBOX, gi + 1);
    out.endMessage();

    xmin = Math.min(xmin, box[0]);
    ymin = Math.min(ymin, box[1]);
    xmax = Math.max(xmax, box[2]);
    ymax = Math.max(ymax, box[3]);
    if (!seenTypes.contains(type)) {
      seenTypes.add(type);
      geometryTypes.add(type);
    }
    rows++;
  }

  private static Class<?> javaType(FieldType type) {
    return switch (type) {
      case BOOLEAN -> Boolean.class;
      case INT32 -> Integer.class;
      case INT64 -> Long.class;
      case FLOAT -> Float.class;
      case DOUBLE -> Double.class;
      case STRING -> String.class;
      case DATE -> LocalDate.class;
      case TIMESTAMP -> Instant.class;
      case BINARY -> byte[].class;
    };
  }

  private void writeValue(Field field, Object v) {
    switch (field.type()) {
      case BOOLEAN -> out.addBoolean((Boolean) v);
      case INT32 -> out.addInteger((Integer) v);
      case INT64 -> out.addLong((Long) v);
      case FLOAT -> out.addFloat((Float) v);
      case DOUBLE -> out.addDouble((Double) v);
      case STRING -> out.addBinary(Binary.fromConstantByteArray(((String) v).getBytes(StandardCharsets.UTF_8)));
      case DATE -> out.addInteger(epochDay((LocalDate) v));
      case TIMESTAMP -> out.addLong(micros((Instant) v));
      // a copy: the dictionary keeps references to values, and callers own their arrays
      case BINARY -> out.addBinary(Binary.fromConstantByteArray(((byte[]) v).clone()));
    }
  }

  private static int epochDay(LocalDate d) {
    return Math.toIntExact(d.toEpochDay());
  }

  /** Microseconds since the epoch; getNano() is always >= 0, so the division truncates correctly. */
  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  /** GeoParquet's geometry type name; a JTS LinearRing is written to WKB as a LineString. */
  private static String typeName(Geometry g) {
    String t = g.getGeometryType();
    return Geometry.TYPENAME_LINEARRING.equals(t) ? Geometry.TYPENAME_LINESTRING : t;
  }

  @Override
  public FinalizedWriteContext finalizeWrite() {
    Map<String, String> meta = new TreeMap<>(extraCrsMetadata);
    meta.put("geo", geoJson());
    return new FinalizedWriteContext(meta);
  }

  /** The {@code geo} metadata; ObjectNode keeps insertion order, so the bytes are the same on every run. */
  String geoJson() {
    GeoMetadata geo = GeoMetadata.forColumn(schema.geometryColumn()).geometryTypes(geometryTypes)
        .counterclockwise(options.orientationCounterclockwise()).crs(crs);
    if (rows > 0) geo.bbox(xmin, ymin, xmax, ymax); // no bbox for an empty file
    try {
      return JSON.writeValueAsString(geo.toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

}
