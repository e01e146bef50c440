package org.d4c.transforms.geoparquet;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.d4c.transforms.feature.Feature;

/**
 * Encodes the row groups of one GeoParquet file on two threads: even row groups are buffered and encoded by a helper
 * thread while the caller encodes the next (odd) one as its features arrive; both go into the file in order. A row
 * group ends at a fixed row count and its pages, dictionaries and statistics depend on its rows alone, so the file is
 * byte for byte what parquet-java's record writer writes (GeoParquetWriterTest compares the two). At most one row
 * group's features are held.
 *
 * <p>parquet-java has no API to encode row groups apart, so the writer's file writer and settings are read from its
 * private fields ({@link #of} returns null when they are missing: the caller then writes record by record).
 */
final class RowGroupEncoders implements AutoCloseable {
  private static final Field RECORD_WRITER;
  private static final Field FILE_WRITER;
  private static final Field PROPS;
  private static final Field SCHEMA;
  private static final Field COMPRESSORS;
  private static final Field VALIDATING;
  private static final Field EXTRA;

  static {
    Field[] f = new Field[7];
    try {
      Class<?> internal = Class.forName("org.apache.parquet.hadoop.InternalParquetRecordWriter");
      f[0] = ParquetWriter.class.getDeclaredField("writer");
      f[1] = internal.getDeclaredField("parquetFileWriter");
      f[2] = internal.getDeclaredField("props");
      f[3] = internal.getDeclaredField("schema");
      f[4] = internal.getDeclaredField("compressorProvider");
      f[5] = internal.getDeclaredField("validating");
      f[6] = internal.getDeclaredField("extraMetaData");
      for (Field x : f) {
        x.setAccessible(true);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      f = new Field[7];
    }
    RECORD_WRITER = f[0];
    FILE_WRITER = f[1];
    PROPS = f[2];
    SCHEMA = f[3];
    COMPRESSORS = f[4];
    VALIDATING = f[5];
    EXTRA = f[6];
  }

  private final ParquetFileWriter file;
  private final ParquetProperties props;
  private final MessageType schema;
  private final Function<ColumnDescriptor, BytesInputCompressor> compressors;
  private final boolean validating;
  private final Map<String, String> extraMetaData;
  private final FeatureWriteSupport main;
  private final int rowGroupRows;
  private final Encoder inline;
  private final Encoder helper;
  private final ExecutorService thread;
  private List<Feature> buffered = new ArrayList<>();
  private Future<Encoder> pending;
  private long group;
  private long rows;

  private RowGroupEncoders(ParquetWriter<Feature> writer, FeatureWriteSupport main, FeatureWriteSupport inlineSupport,
      FeatureWriteSupport helperSupport, int rowGroupRows) throws ReflectiveOperationException {
    Object internal = RECORD_WRITER.get(writer);
    this.file = (ParquetFileWriter) FILE_WRITER.get(internal);
    this.props = (ParquetProperties) PROPS.get(internal);
    this.schema = (MessageType) SCHEMA.get(internal);
    @SuppressWarnings("unchecked")
    Function<ColumnDescriptor, BytesInputCompressor> c = (Function<ColumnDescriptor, BytesInputCompressor>) COMPRESSORS.get(internal);
    this.compressors = c;
    this.validating = VALIDATING.getBoolean(internal);
    @SuppressWarnings("unchecked")
    Map<String, String> extra = (Map<String, String>) EXTRA.get(internal);
    this.extraMetaData = extra;
    this.main = main;
    this.rowGroupRows = rowGroupRows;
    this.inline = new Encoder(inlineSupport);
    this.helper = new Encoder(helperSupport);
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "d4c-row-groups");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Row-group encoders for {@code writer}, which must not have been written to, or null when parquet-java's fields
   * are not where this class expects them. {@code main} checks features and writes the {@code geo} metadata; the two
   * others encode, and their geometry types and extent are added to {@code main}'s at the end.
   */
  static RowGroupEncoders of(ParquetWriter<Feature> writer, FeatureWriteSupport main, FeatureWriteSupport inlineSupport,
      FeatureWriteSupport helperSupport, int rowGroupRows) {
    if (RECORD_WRITER == null) {
      return null;
    }
    try {
      return new RowGroupEncoders(writer, main, inlineSupport, helperSupport, rowGroupRows);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return null;
    }
  }

  long rows() {
    return rows;
  }

  /** Takes one checked feature. */
  void write(Feature f) throws IOException {
    long inGroup = rows % rowGroupRows;
    if (inGroup == 0) {
      group = rows / rowGroupRows;
      if (group % 2 == 1) {
        inline.begin((int) group);
      }
    }
    if (group % 2 == 0) {
      buffered.add(f);
    } else {
      inline.write(f);
    }
    rows++;
    if (rows % rowGroupRows == 0) {
      endGroup();
    }
  }

  /** An even group goes to the helper (after the one before it is in the file); an odd one follows it into the file. */
  private void endGroup() throws IOException {
    if (group % 2 == 0) {
      List<Feature> features = buffered;
      buffered = new ArrayList<>();
      int ordinal = (int) group;
      pending = thread.submit(() -> {
        helper.begin(ordinal);
        for (Feature f : features) {
          helper.write(f);
        }
        helper.finishPages();
        return helper;
      });
    } else {
      inline.finishPages();
      awaitPending().flushInto(file);
      inline.flushInto(file);
    }
  }

  private Encoder awaitPending() throws IOException {
    Future<Encoder> p = pending;
    pending = null;
    if (p == null) {
      return null;
    }
    try {
      return p.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while encoding a row group", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("encoding a row group failed: " + cause, cause);
    }
  }

  /** Writes what is left and the footer, with {@code main}'s {@code geo} metadata (as parquet-java's writer does). */
  void finish() throws IOException {
    long inGroup = rows % rowGroupRows;
    if (inGroup != 0) {
      if (group % 2 == 0) {
        endGroup();
        awaitPending().flushInto(file);
      } else {
        inline.finishPages();
        awaitPending().flushInto(file);
        inline.flushInto(file);
      }
    } else if (pending != null) {
      awaitPending().flushInto(file);
    }
    main.absorb(inline.support);
    main.absorb(helper.support);
    Map<String, String> meta = new HashMap<>(extraMetaData);
    String model = main.getName();
    if (model != null) {
      meta.put(ParquetWriter.OBJECT_MODEL_NAME_PROP, model);
    }
    meta.putAll(main.finalizeWrite().getExtraMetaData());
    file.end(meta);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  /** One row group's column writers and pages, as parquet-java's record writer sets them up for each row group. */
  private final class Encoder {
    final FeatureWriteSupport support;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore columns;
    private RecordConsumer consumer;
    private long count;

    Encoder(FeatureWriteSupport support) {
      this.support = support;
    }

    void begin(int ordinal) {
      pages = ColumnChunkPageWriteStore.builder().withCompressorProvider(compressors).withSchema(schema)
          .withAllocator(props.getAllocator()).withColumnIndexTruncateLength(props.getColumnIndexTruncateLength())
          .withPageWriteChecksumEnabled(props.getPageWriteChecksumEnabled()).withFileEncryptor(null)
          .withRowGroupOrdinal(ordinal).build();
      columns = props.newColumnWriteStore(schema, pages, pages);
      consumer = new ColumnIOFactory(validating).getColumnIO(schema).getRecordWriter(columns);
      support.prepareForWrite(consumer);
      count = 0;
    }

    void write(Feature f) {
      support.write(f);
      count++;
    }

    /** The last pages of every column, encoded and compressed into memory. */
    void finishPages() {
      consumer.flush();
      columns.flush();
    }

    void flushInto(ParquetFileWriter out) throws IOException {
      try {
        out.startBlock(count);
        pages.flushToFileWriter(out);
        out.endBlock();
      } finally {
        columns.close();
        pages.close();
        columns = null;
        pages = null;
        consumer = null;
      }
    }
  }
}
