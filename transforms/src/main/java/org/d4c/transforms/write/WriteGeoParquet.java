package org.d4c.transforms.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureSchema;
import org.d4c.transforms.geoparquet.GeoParquetOptions;
import org.d4c.transforms.geoparquet.GeoParquetWriter;
import org.d4c.transforms.progress.LocalProgress;

/**
 * Writes the sorted stream of one output as GeoParquet into a folder: {@code NAME.parquet}, or, past
 * {@code maxRowsPerFile} rows, {@code NAME/part-00000.parquet}, ... — each file a consecutive range of the Hilbert
 * order, so the split depends on the data only, never on how many workers ran. Emits the relative paths written.
 */
public final class WriteGeoParquet extends PTransform<PCollection<KV<String, Iterable<KV<byte[], Feature>>>>,
    PCollection<String>> {
  private static final long serialVersionUID = 1L;
  private final String folder;
  private final FeatureSchema schema;
  private final GeoParquetOptions options;
  private final long maxRowsPerFile;

  private WriteGeoParquet(String folder, FeatureSchema schema, GeoParquetOptions options, long maxRowsPerFile) {
    this.folder = folder;
    this.schema = schema;
    this.options = options;
    this.maxRowsPerFile = maxRowsPerFile;
  }

  /** Writes into {@code folder}, a local or shared path every worker can reach. */
  public static WriteGeoParquet to(String folder, FeatureSchema schema, GeoParquetOptions options, long maxRowsPerFile) {
    return new WriteGeoParquet(folder, schema, options, maxRowsPerFile);
  }

  @Override
  public PCollection<String> expand(PCollection<KV<String, Iterable<KV<byte[], Feature>>>> input) {
    return input.apply("Write GeoParquet files", ParDo.of(new WriteFn(folder, schema, options, maxRowsPerFile)))
        .setCoder(StringUtf8Coder.of());
  }

  static final class WriteFn extends DoFn<KV<String, Iterable<KV<byte[], Feature>>>, String> {
    private static final long serialVersionUID = 1L;
    private final String folder;
    private final FeatureSchema schema;
    private final GeoParquetOptions options;
    private final long maxRowsPerFile;

    WriteFn(String folder, FeatureSchema schema, GeoParquetOptions options, long maxRowsPerFile) {
      this.folder = folder;
      this.schema = schema;
      this.options = options;
      this.maxRowsPerFile = maxRowsPerFile;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<byte[], Feature>>> group, OutputReceiver<String> out) {
      Iterator<KV<byte[], Feature>> sorted = group.getValue().iterator();
      Iterator<Feature> features = new Iterator<>() {
        @Override
        public boolean hasNext() {
          return sorted.hasNext();
        }

        @Override
        public Feature next() {
          return sorted.next().getValue();
        }
      };
      write(Paths.get(folder), group.getKey(), features, schema, options, maxRowsPerFile).forEach(out::output);
    }
  }

  /**
   * Writes the sorted features of output {@code name} into {@code root}: {@code NAME.parquet}, or
   * {@code NAME/part-NNNNN.parquet} files of {@code maxRowsPerFile} rows each. Returns the relative paths written.
   */
  public static List<String> write(Path root, String name, Iterator<Feature> features, FeatureSchema schema,
      GeoParquetOptions options, long maxRowsPerFile) {
    return writeChecked(root, name, new Iterator<>() {
      @Override
      public boolean hasNext() {
        return features.hasNext();
      }

      @Override
      public GeoParquetWriter.Checked next() {
        return GeoParquetWriter.check(schema, features.next());
      }
    }, schema, options, maxRowsPerFile);
  }

  /** As {@link #write}, with features checked ahead ({@link GeoParquetWriter#check}) against {@code schema}. */
  public static List<String> writeChecked(Path root, String name, Iterator<GeoParquetWriter.Checked> features,
      FeatureSchema schema, GeoParquetOptions options, long maxRowsPerFile) {
    Path parts = root.resolve(name);
    List<String> written = new ArrayList<>();
    GeoParquetWriter writer = null;
    long inFile = 0;
    try {
      while (features.hasNext()) {
        GeoParquetWriter.Checked f = features.next();
        if (writer == null || inFile == maxRowsPerFile) {
          if (writer != null) {
            writer.close();
          }
          String rel = name + "/part-" + String.format("%05d", written.size()) + ".parquet";
          Files.createDirectories(parts);
          // A retried bundle starts the file again rather than appending to a partial one.
          Files.deleteIfExists(root.resolve(rel));
          writer = new GeoParquetWriter(root.resolve(rel), schema, options);
          written.add(rel);
          inFile = 0;
        }
        writer.write(f);
        inFile++;
        LocalProgress.FEATURES_WRITTEN.incrementAndGet();
      }
      if (writer != null) {
        writer.close();
      }
      if (written.size() == 1) {
        // One file needs no folder: NAME.parquet is what users expect.
        Files.move(root.resolve(written.get(0)), root.resolve(name + ".parquet"), StandardCopyOption.REPLACE_EXISTING);
        Files.delete(parts);
        written.set(0, name + ".parquet");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing GeoParquet output '" + name + "' failed: " + e.getMessage(), e);
    }
    return written;
  }
}
