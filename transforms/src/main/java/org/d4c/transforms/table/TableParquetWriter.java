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
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
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
  /** Cells buffered for writing column by column ({@link Support}). */
  static final int CELLS_PER_BLOCK = 1 << 20;
  private final ParquetWriter<Object[]> writer;
  private final Support support;

  public TableParquetWriter(Path file, TableShape shape, int rowGroupRows, int zstdLevel) throws IOException {
    this(file, shape.columns(), rowGroupRows, zstdLevel, true);
  }

  /** @param byColumn false writes record by record through parquet-java's record writer (the reference for tests) */
  TableParquetWriter(Path file, List<TableShape.Out> columns, int rowGroupRows, int zstdLevel, boolean byColumn)
      throws IOException {
    int groupRows = rowsPerGroup(rowGroupRows, columns.size());
    this.support = new Support(columns, byColumn ? groupRows : 0);
    this.writer = ParquetWriters.builder(new LocalOutputFile(file), support, zstdLevel)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withRowGroupRowCountLimit(groupRows)
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

  /** True while rows go column by column (parquet-java's internals were as expected). */
  boolean writesByColumn() {
    return support.writers != null;
  }

  @Override
  public void close() throws IOException {
    support.writeBlock();
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

  /**
   * Turns rows into column values. A wide table's rows (thousands of columns) written record by record touch every
   * column's dictionary and buffers once per row, so nearly every value write missed the CPU caches (a third of a
   * census pivot's time went to the dictionaries' hash lookups). Instead, rows are buffered in blocks of about
   * {@value #CELLS_PER_BLOCK} cells and each block is written column by column straight into parquet-java's column
   * writers, then its records are ended. A block never spans a point where parquet-java checks page sizes (every
   * column then holds exactly what it holds when writing record by record) nor a row-group end, so the file has the
   * same bytes as the record-by-record writer; {@code TableParquetWriterTest} compares them. When parquet-java's
   * internals are not as expected the rows go record by record.
   */
  static final class Support extends WriteSupport<Object[]> {
    private final List<TableShape.Out> columns;
    private final MessageType schema;
    private final int groupRows;
    private final int blockRows;
    private final List<Object[]> block = new java.util.ArrayList<>();
    private RecordConsumer out;
    private ColumnWriter[] writers;
    private ColumnWriteStore store;
    private int inGroup;

    /** @param groupRows rows per row group, for writing by column; 0 writes record by record */
    Support(List<TableShape.Out> columns, int groupRows) {
      this.columns = columns;
      this.schema = messageType(columns);
      this.groupRows = groupRows;
      this.blockRows = Math.max(1, CELLS_PER_BLOCK / Math.max(1, columns.size()));
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
      // Called for every row group, with a new column store.
      this.out = recordConsumer;
      this.writers = groupRows > 0 ? Internals.writers(recordConsumer) : null;
      this.store = writers == null ? null : Internals.store(recordConsumer);
      if (store == null) writers = null;
      this.inGroup = 0;
    }

    @Override
    public void write(Object[] row) {
      if (writers == null) {
        writeRecord(row);
        return;
      }
      block.add(row);
      inGroup++;
      if (inGroup == groupRows || block.size() >= blockRows || block.size() >= Internals.rowsToSizeCheck(store)) {
        writeBlock();
      }
    }

    /** Writes the buffered rows column by column, then ends their records (the last may check page sizes). */
    void writeBlock() {
      if (block.isEmpty()) return;
      for (int c = 0; c < columns.size(); c++) {
        ColumnWriter w = writers[c];
        TableShape.Type type = columns.get(c).type();
        for (Object[] row : block) {
          Object v = row[c];
          if (v == null) {
            w.writeNull(0, 0);
            continue;
          }
          switch (type) {
            case BOOLEAN -> w.write((Boolean) v, 0, 1);
            case INT8, INT16, INT32 -> w.write((int) (Integer) v, 0, 1);
            case INT64 -> w.write((long) (Long) v, 0, 1);
            case FLOAT -> w.write((float) (Float) v, 0, 1);
            case DOUBLE -> w.write((double) (Double) v, 0, 1);
            case STRING -> w.write(Binary.fromConstantByteArray(((String) v).getBytes(StandardCharsets.UTF_8)), 0, 1);
            case DATE -> w.write(Math.toIntExact(((LocalDate) v).toEpochDay()), 0, 1);
            case TIMESTAMP -> w.write(micros((Instant) v), 0, 1);
            case BINARY -> w.write(Binary.fromConstantByteArray(((byte[]) v).clone()), 0, 1);
          }
        }
      }
      for (int i = 0; i < block.size(); i++) {
        store.endRecord();
      }
      block.clear();
    }

    private void writeRecord(Object[] row) {
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
          case TIMESTAMP -> out.addLong(micros((Instant) v));
          case BINARY -> out.addBinary(Binary.fromConstantByteArray(((byte[]) v).clone()));
        }
        out.endField(name, i);
      }
      out.endMessage();
    }

    private static long micros(Instant t) {
      return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
  }

  /**
   * What parquet-java keeps private and writing by column needs: the record writer's column writers (one per leaf
   * column, in schema order) and column store, and how many records the store ends before it next checks page sizes.
   */
  static final class Internals {
    private static final java.lang.reflect.Field WRITERS;
    private static final java.lang.reflect.Field STORE;
    private static final java.lang.reflect.Field ROW_COUNT;
    private static final java.lang.reflect.Field NEXT_CHECK;

    static {
      java.lang.reflect.Field[] f = new java.lang.reflect.Field[4];
      try {
        Class<?> consumer = Class.forName("org.apache.parquet.io.MessageColumnIO$MessageColumnIORecordConsumer");
        Class<?> base = Class.forName("org.apache.parquet.column.impl.ColumnWriteStoreBase");
        f[0] = consumer.getDeclaredField("columnWriters");
        f[1] = consumer.getDeclaredField("columns");
        f[2] = base.getDeclaredField("rowCount");
        f[3] = base.getDeclaredField("rowCountForNextSizeCheck");
        for (java.lang.reflect.Field x : f) {
          x.setAccessible(true);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        f = new java.lang.reflect.Field[4];
      }
      WRITERS = f[0];
      STORE = f[1];
      ROW_COUNT = f[2];
      NEXT_CHECK = f[3];
    }

    private Internals() {}

    static ColumnWriter[] writers(RecordConsumer c) {
      if (WRITERS == null || !WRITERS.getDeclaringClass().isInstance(c)) return null;
      try {
        return (ColumnWriter[]) WRITERS.get(c);
      } catch (IllegalAccessException e) {
        return null;
      }
    }

    static ColumnWriteStore store(RecordConsumer c) {
      try {
        Object s = STORE.get(c);
        return ROW_COUNT.getDeclaringClass().isInstance(s) ? (ColumnWriteStore) s : null;
      } catch (IllegalAccessException e) {
        return null;
      }
    }

    /** Records the store ends before (and including) the one that checks page sizes. */
    static long rowsToSizeCheck(ColumnWriteStore s) {
      try {
        return NEXT_CHECK.getLong(s) - ROW_COUNT.getLong(s);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
