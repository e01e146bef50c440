package org.d4c.transforms.write;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
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
      try (ReadAhead<byte[][], Feature> features = new ReadAhead<>("d4c-merge-" + runs.getKey(),
          SortedRuns.merge(files), r -> SortByHilbert.decode(r[1]), 1024, 8)) {
        WriteGeoParquet.write(Paths.get(spec.folder), runs.getKey(), features, spec.schema, spec.options,
            spec.maxRowsPerFile).forEach(out::output);
      }
    }
  }
}
