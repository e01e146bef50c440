package org.d4c.transforms.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.geoparquet.GeoParquetOptions;
import org.d4c.transforms.geoparquet.GeoParquetWriter;
import org.d4c.transforms.progress.LocalProgress;
import org.d4c.transforms.sort.SortByKey;

/**
 * Writes the sorted rows of one output with the columns settled from the data ({@link TableShape}): a plain Parquet
 * table ({@code NAME.parquet}, or past {@code maxRowsPerFile} rows {@code NAME/part-00000.parquet}, ...) when the
 * rows have no geometry, GeoParquet otherwise. Emits the relative paths written.
 */
public final class WriteTable extends PTransform<PCollection<KV<String, Iterable<String>>>, PCollection<String>> {
  private static final long serialVersionUID = 1L;
  private final String folder;
  private final PCollectionView<TableShape> shape;
  private final GeoParquetOptions options;
  private final long maxRowsPerFile;

  private WriteTable(String folder, PCollectionView<TableShape> shape, GeoParquetOptions options, long maxRowsPerFile) {
    this.folder = folder;
    this.shape = shape;
    this.options = options;
    this.maxRowsPerFile = maxRowsPerFile;
  }

  public static WriteTable to(String folder, PCollectionView<TableShape> shape, GeoParquetOptions options,
      long maxRowsPerFile) {
    return new WriteTable(folder, shape, options, maxRowsPerFile);
  }

  /** The shape of the rows' output: statistics gathered on every worker, merged, then settled. */
  public static PCollectionView<TableShape> shapeOf(PCollection<Feature> rows, TableSchema schema, boolean narrowTypes,
      boolean dropEmpty) {
    return shapeFrom(statsOf(rows, schema), schema, narrowTypes, dropEmpty);
  }

  /** The column statistics of the rows, one per worker bundle. */
  public static PCollection<ColumnStats> statsOf(PCollection<Feature> rows, TableSchema schema) {
    return rows.apply("Column statistics per worker", ParDo.of(new DoFn<Feature, ColumnStats>() {
          private transient ColumnStats stats;

          @StartBundle
          public void start() {
            stats = null;
          }

          @ProcessElement
          public void process(@Element Feature f) {
            if (stats == null) {
              stats = new ColumnStats(schema);
            }
            stats.add(f);
          }

          @FinishBundle
          public void finish(FinishBundleContext c) {
            if (stats != null) {
              c.output(stats, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
            }
          }
        }))
        .setCoder(SerializableCoder.of(ColumnStats.class));
  }

  /** The shape settled from partial column statistics ({@link #statsOf}, {@link MergeIntoOutput#STATS}). */
  public static PCollectionView<TableShape> shapeFrom(PCollection<ColumnStats> stats, TableSchema schema,
      boolean narrowTypes, boolean dropEmpty) {
    return stats
        .apply("Merge column statistics", Combine.globally(new MergeStats(schema)))
        .apply("Settle columns", org.apache.beam.sdk.transforms.MapElements.via(
            new org.apache.beam.sdk.transforms.SimpleFunction<ColumnStats, TableShape>() {
              @Override
              public TableShape apply(ColumnStats s) {
                return TableShape.of(schema, s, narrowTypes, dropEmpty);
              }
            }))
        .setCoder(SerializableCoder.of(TableShape.class))
        .apply("Columns as a side input", View.asSingleton());
  }

  static final class MergeStats implements SerializableFunction<Iterable<ColumnStats>, ColumnStats> {
    private static final long serialVersionUID = 1L;
    private final TableSchema schema;

    MergeStats(TableSchema schema) {
      this.schema = schema;
    }

    @Override
    public ColumnStats apply(Iterable<ColumnStats> all) {
      ColumnStats merged = new ColumnStats(schema);
      for (ColumnStats s : all) {
        merged.merge(s);
      }
      return merged;
    }
  }

  @Override
  public PCollection<String> expand(PCollection<KV<String, Iterable<String>>> input) {
    return input.apply("Write Parquet files", ParDo.of(new WriteFn(folder, shape, options, maxRowsPerFile))
        .withSideInputs(shape)).setCoder(StringUtf8Coder.of());
  }

  /** Merges an output's sorted runs ({@link SortByKey}) and writes the rows as they come. */
  static final class WriteFn extends DoFn<KV<String, Iterable<String>>, String> {
    private static final long serialVersionUID = 1L;
    private final String folder;
    private final PCollectionView<TableShape> shapeView;
    private final GeoParquetOptions options;
    private final long maxRowsPerFile;

    WriteFn(String folder, PCollectionView<TableShape> shape, GeoParquetOptions options, long maxRowsPerFile) {
      this.folder = folder;
      this.shapeView = shape;
      this.options = options;
      this.maxRowsPerFile = maxRowsPerFile;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      KV<String, Iterable<String>> group = c.element();
      TableShape shape = c.sideInput(shapeView);
      String name = group.getKey();
      Path root = Paths.get(folder);
      Path parts = root.resolve(name);
      List<String> written = new ArrayList<>();
      java.io.Closeable writer = null;
      long inFile = 0;
      try {
        for (KV<byte[], Feature> kv : SortByKey.merged(group.getValue())) {
          if (writer == null || inFile == maxRowsPerFile) {
            if (writer != null) {
              writer.close();
            }
            String rel = name + "/part-" + String.format("%05d", written.size()) + ".parquet";
            Files.createDirectories(parts);
            Files.deleteIfExists(root.resolve(rel));
            writer = shape.hasGeometry()
                ? new GeoParquetWriter(root.resolve(rel), shape.featureSchema(), options)
                : new TableParquetWriter(root.resolve(rel), shape, options.rowGroupRows(), options.zstdLevel());
            written.add(rel);
            inFile = 0;
          }
          Feature f = kv.getValue();
          Object[] values = shape.convert(f);
          if (writer instanceof GeoParquetWriter g) {
            g.write(f.withValues(values));
          } else {
            ((TableParquetWriter) writer).write(values);
          }
          inFile++;
          LocalProgress.FEATURES_WRITTEN.incrementAndGet();
        }
        if (writer != null) {
          writer.close();
        }
        if (written.size() == 1) {
          Files.move(root.resolve(written.get(0)), root.resolve(name + ".parquet"), StandardCopyOption.REPLACE_EXISTING);
          Files.delete(parts);
          written.set(0, name + ".parquet");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("writing output '" + name + "' failed: " + e.getMessage(), e);
      }
      written.forEach(c::output);
    }
  }
}
