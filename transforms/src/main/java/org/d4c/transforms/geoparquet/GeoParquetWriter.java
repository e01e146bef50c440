package org.d4c.transforms.geoparquet;

import org.d4c.geoparquet.ParquetWriters;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureSchema;

/**
 * Writes features to one GeoParquet 1.1 file: attribute columns (all optional), the WKB geometry column, a
 * {@code bbox} covering struct, ZSTD compression, and the {@code geo} metadata in the footer.
 *
 * <p>Runs without Hadoop: a plain configuration, a local output file and a zstd-jni codec factory keep parquet-java
 * off every code path that loads Hadoop classes. The same features in the same order give byte-identical files.
 */
public final class GeoParquetWriter implements Closeable {
  // Large enough that only the row-count limit ends a row group.
  private static final long ROW_GROUP_BYTES = 1L << 40;

  private final FeatureWriteSupport support;
  private final ParquetWriter<Feature> writer;
  private boolean closed;

  public GeoParquetWriter(Path file, FeatureSchema schema, GeoParquetOptions options) throws IOException {
    this.support = new FeatureWriteSupport(schema, options);
    this.writer = ParquetWriters.builder(new LocalOutputFile(file), support, options.zstdLevel())
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withRowGroupRowCountLimit(options.rowGroupRows())
        .withRowGroupSize(ROW_GROUP_BYTES)
        // WKB values are nearly all distinct: a dictionary is built and thrown away at the first page (17 % of the
        // writer's time in a profile) and the page is written plain; writing it plain at once gives the same bytes.
        .withDictionaryEncoding(schema.geometryColumn(), false)
        .build();
  }

  /**
   * Appends one feature. Its geometry must be non-null and non-empty and its values must match the schema's types,
   * else IllegalArgumentException and the feature is skipped (the file stays usable).
   */
  public void write(Feature feature) throws IOException {
    if (closed) {
      throw new IllegalStateException("writer is closed");
    }
    support.check(feature);
    writer.write(feature);
  }

  /**
   * A feature checked against a schema ahead of its write, on any thread: the check and the scan of its WKB then run
   * beside the Parquet encoding instead of before it.
   */
  public static final class Checked {
    private final Feature feature;
    private final WkbScan.Info info;

    private Checked(Feature feature, WkbScan.Info info) {
      this.feature = feature;
      this.info = info;
    }
  }

  /**
   * Checks {@code feature} for a writer of {@code schema}, as {@link #write(Feature)} does.
   *
   * @throws IllegalArgumentException what {@link #write(Feature)} throws for it
   */
  public static Checked check(FeatureSchema schema, Feature feature) {
    return new Checked(feature, FeatureWriteSupport.validate(schema, feature));
  }

  /** Appends a feature checked by {@link #check} against this writer's schema. */
  public void write(Checked c) throws IOException {
    if (closed) {
      throw new IllegalStateException("writer is closed");
    }
    support.checked(c.feature, c.info);
    writer.write(c.feature);
  }

  /** Features written so far. */
  public long rows() {
    return support.rows();
  }

  /** Flushes the last row group and writes the footer with the {@code geo} metadata. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      writer.close();
    }
  }
}
