package org.d4c.transforms.table;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.d4c.geoparquet.ParquetWriters;

/**
 * Writes rows of a {@link TableShape} to one plain Parquet file: every column optional, 8- and 16-bit integers as
 * INT32 with their integer annotation, ZSTD, row groups cut by row count only (fewer rows for a very wide table), no {@code geo} metadata. Hadoop-free
 * through the shared {@link ParquetWriters} builder; the same rows in the same order give the same bytes.
 */
public final class TableParquetWriter implements Closeable {
  private static final long ROW_GROUP_BYTES = 1L << 40;
  /**
   * Cells (rows × columns) of one row group at most: parquet-java holds a row group in memory with one writer and one
   * dictionary per column, so a table thousands of columns wide (a pivoted census profile) would need gigabytes for
   * the usual row count. Depends on the column count only, so the same rows always give the same bytes; tables up to
   * 80 columns keep the configured 100,000 rows.
   */
  static final long CELLS_PER_ROW_GROUP = 8_000_000L;
  private final ParquetWriter<Object[]> writer;

  public TableParquetWriter(Path file, TableShape shape, int rowGroupRows, int zstdLevel) throws IOException {
    Support support = new Support(shape.columns());
    this.writer = ParquetWriters.builder(new LocalOutputFile(file), support, zstdLevel)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withRowGroupRowCountLimit(rowsPerGroup(rowGroupRows, shape.columns().size()))
        .withRowGroupSize(ROW_GROUP_BYTES)
        .withDictionaryEncoding(true)
        .build();
  }

  /** The configured rows per row group, fewer for a wide table ({@link #CELLS_PER_ROW_GROUP}). */
  static int rowsPerGroup(int configured, int columns) {
    return (int) Math.max(1, Math.min(configured, CELLS_PER_ROW_GROUP / Math.max(1, columns)));
  }

  public void write(Object[] row) throws IOException {
    writer.write(row);
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }

  static MessageType messageType(List<TableShape.Out> columns) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (TableShape.Out o : columns) {
      b.addField(type(o));
    }
    return b.named("schema");
  }

  private static Type type(TableShape.Out o) {
    String n = o.name();
    return switch (o.type()) {
      case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).named(n);
      case INT8 -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(8, true)).named(n);
      case INT16 -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(16, true)).named(n);
      case INT32 -> Types.optional(PrimitiveTypeName.INT32).named(n);
      case INT64 -> Types.optional(PrimitiveTypeName.INT64).named(n);
      case FLOAT -> Types.optional(PrimitiveTypeName.FLOAT).named(n);
      case DOUBLE -> Types.optional(PrimitiveTypeName.DOUBLE).named(n);
      case STRING -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(n);
      case DATE -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.dateType()).named(n);
      case TIMESTAMP -> Types.optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(n);
      case BINARY -> Types.optional(PrimitiveTypeName.BINARY).named(n);
    };
  }

  static final class Support extends WriteSupport<Object[]> {
    private final List<TableShape.Out> columns;
    private final MessageType schema;
    private RecordConsumer out;

    Support(List<TableShape.Out> columns) {
      this.columns = columns;
      this.schema = messageType(columns);
    }

    @Override
    public WriteContext init(Configuration configuration) {
      throw new UnsupportedOperationException("Hadoop-free writer");
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
    public void write(Object[] row) {
      out.startMessage();
      for (int i = 0; i < row.length; i++) {
        Object v = row[i];
        if (v == null) {
          continue;
        }
        String name = columns.get(i).name();
        out.startField(name, i);
        switch (columns.get(i).type()) {
          case BOOLEAN -> out.addBoolean((Boolean) v);
          case INT8, INT16, INT32 -> out.addInteger((Integer) v);
          case INT64 -> out.addLong((Long) v);
          case FLOAT -> out.addFloat((Float) v);
          case DOUBLE -> out.addDouble((Double) v);
          case STRING -> out.addBinary(Binary.fromConstantByteArray(((String) v).getBytes(StandardCharsets.UTF_8)));
          case DATE -> out.addInteger(Math.toIntExact(((LocalDate) v).toEpochDay()));
          case TIMESTAMP -> out.addLong(((Instant) v).getEpochSecond() * 1_000_000L + ((Instant) v).getNano() / 1000);
          case BINARY -> out.addBinary(Binary.fromConstantByteArray(((byte[]) v).clone()));
        }
        out.endField(name, i);
      }
      out.endMessage();
    }
  }
}
