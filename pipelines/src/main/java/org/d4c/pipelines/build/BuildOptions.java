package org.d4c.pipelines.build;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the build pipeline. None of them changes output bytes: they only decide how the work is spread.
 * Runner flags (--runner, --flinkMaster, --parallelism, --targetParallelism) are Beam's own.
 */
public interface BuildOptions extends PipelineOptions {
  @Description("Path of the recipe (YAML) to build")
  String getRecipe();

  void setRecipe(String recipe);

  @Description("Folder to build into; it gets the artifacts and manifest.json")
  String getOut();

  void setOut(String out);

  @Description("At most this many features are read by one worker in one part of a layer")
  @Default.Long(50_000)
  long getFeaturesPerSplit();

  void setFeaturesPerSplit(long n);

  @Description("Memory in MB the sort of one output may use before it spills to disk")
  @Default.Integer(256)
  int getSortMemoryMb();

  void setSortMemoryMb(int mb);
}
