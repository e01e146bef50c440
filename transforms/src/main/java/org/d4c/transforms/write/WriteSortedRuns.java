package org.d4c.transforms.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureSchema;
import org.d4c.transforms.geoparquet.GeoParquetOptions;
import org.d4c.transforms.geoparquet.GeoParquetWriter;
import org.d4c.transforms.sort.SortByHilbert;
import org.d4c.transforms.sort.SortedRuns;

/**
 * Merges the sorted runs of each output (from {@code ReadSortedRuns}) and writes them as GeoParquet in one step, with
 * the same files and bytes as {@link WriteGeoParquet} after {@link SortByHilbert}: the merged stream is never handed
 * to the runner as an element. Merging and decoding run one thread ahead of Parquet encoding.
 */
public final class WriteSortedRuns extends PTransform<PCollection<KV<String, String>>, PCollection<String>> {
  private static final long serialVersionUID = 1L;
  private final String folder;
  private final FeatureSchema schema;
  private final GeoParquetOptions options;
  private final long maxRowsPerFile;

  private WriteSortedRuns(String folder, FeatureSchema schema, GeoParquetOptions options, long maxRowsPerFile) {
    this.folder = folder;
    this.schema = schema;
    this.options = options;
    this.maxRowsPerFile = maxRowsPerFile;
  }

  /** Writes into {@code folder}, a local or shared path every worker can reach. */
  public static WriteSortedRuns to(String folder, FeatureSchema schema, GeoParquetOptions options, long maxRowsPerFile) {
    return new WriteSortedRuns(folder, schema, options, maxRowsPerFile);
  }

  @Override
  public PCollection<String> expand(PCollection<KV<String, String>> runs) {
    return runs
        .apply("Gather runs", GroupByKey.create())
        .apply("Merge runs and write GeoParquet", ParDo.of(new MergeWriteFn(this)))
        .setCoder(StringUtf8Coder.of());
  }

  static final class MergeWriteFn extends DoFn<KV<String, Iterable<String>>, String> {
    private static final long serialVersionUID = 1L;
    private final WriteSortedRuns spec;

    MergeWriteFn(WriteSortedRuns spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<String>> runs, OutputReceiver<String> out) {
      List<String> files = new ArrayList<>();
      runs.getValue().forEach(files::add);
      mergeAndWrite(Paths.get(spec.folder), runs.getKey(), files, spec.schema, spec.options, spec.maxRowsPerFile)
          .forEach(out::output);
    }
  }

  /** Merges the run files of output {@code name} and writes it into {@code folder}; returns the paths written. */
  public static List<String> mergeAndWrite(Path folder, String name, List<String> runs, FeatureSchema schema,
      GeoParquetOptions options, long maxRowsPerFile) {
    // Decoding and checking each feature run on the read-ahead thread, beside the Parquet encoding.
    try (ReadAhead<byte[][], GeoParquetWriter.Checked> features = new ReadAhead<>("d4c-merge-" + name,
        SortedRuns.merge(runs), r -> GeoParquetWriter.check(schema, SortByHilbert.decode(r[1])), 1024, 8)) {
      return WriteGeoParquet.writeChecked(folder, name, features, schema, options, maxRowsPerFile);
    }
  }

  /**
   * The same merge and write, run by the caller after the pipeline instead of as its last step, from the run files
   * left in {@code runFolder/NAME/}. For the Direct runner: its scheduler polls without pause on any idle worker
   * thread, and during the single-threaded merge it would take one of the cores the merge and the Parquet encoding
   * use. Only for runners that stop at the first failed bundle (the Direct runner does not retry), so that every
   * run file there belongs to a bundle that finished.
   */
  public static AfterPipeline afterPipeline(String folder, String name, String runFolder, FeatureSchema schema,
      GeoParquetOptions options, long maxRowsPerFile) {
    return new AfterPipeline(folder, name, runFolder, schema, options, maxRowsPerFile);
  }

  /** A merge and write to run once the pipeline has finished. */
  public record AfterPipeline(String folder, String name, String runFolder, FeatureSchema schema,
      GeoParquetOptions options, long maxRowsPerFile) {
    /** Runs it; returns the paths written (none when every feature was rejected). */
    public List<String> run() {
      Path dir = Paths.get(runFolder, name);
      List<String> runs = new ArrayList<>();
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.filter(f -> f.getFileName().toString().endsWith(".run")).map(Path::toString).sorted().forEach(runs::add);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list the sorted runs of '" + name + "': " + e.getMessage(), e);
        }
      }
      return runs.isEmpty() ? List.of() : mergeAndWrite(Paths.get(folder), name, runs, schema, options, maxRowsPerFile);
    }
  }
}
