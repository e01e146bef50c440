package org.d4c.pipelines.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.transforms.Flatten;
import org.d4c.core.progress.Progress;
import org.d4c.manifests.recipe.Output;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.RecipeException;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.manifests.recipe.Source;
import org.d4c.manifests.sources.SourceCache;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.SelectFields;
import org.d4c.transforms.geometry.Crs;
import org.d4c.transforms.geometry.GeometrySteps;
import org.d4c.transforms.geometry.NormalizeGeometry;
import org.d4c.transforms.geometry.RepairGeometry;
import org.d4c.transforms.geometry.Reproject;
import org.d4c.transforms.geoparquet.GeoParquetOptions;
import org.d4c.transforms.progress.LocalProgress;
import org.d4c.transforms.read.OgrLayerInfo;
import org.d4c.transforms.read.OgrLayers;
import org.d4c.transforms.read.OgrSource;
import org.d4c.transforms.read.ReadOgr;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.rejects.RejectCoder;
import org.d4c.transforms.sort.ComputeExtent;
import org.d4c.transforms.sort.HilbertKey;
import org.d4c.transforms.sort.ReadSortedRuns;
import org.d4c.transforms.sort.SortByHilbert;
import org.d4c.transforms.write.WriteGeoParquet;
import org.d4c.transforms.write.WriteRejects;
import org.d4c.transforms.write.WriteSortedRuns;
import org.locationtech.jts.geom.Envelope;

/**
 * The build pipeline: recipe sources in, one deterministic GeoParquet output per recipe output plus a rejects file,
 * locked by {@code manifest.json}. The entry class of {@code d4c build}; {@link #main} also runs it directly with
 * Beam's own flags, e.g. {@code --recipe=r.yaml --out=out --runner=FlinkRunner --flinkMaster=[local]}.
 *
 * <p>Everything is written to a staging folder beside the target and moved into place only when the whole build
 * succeeded, so a failed build leaves nothing behind.
 */
public final class BuildDataset {
  private BuildDataset() {}

  /** One recipe output as planned before the pipeline runs. */
  record PlannedOutput(Output output, OgrLayerInfo layer, SelectFields select) {}

  public static void main(String[] args) {
    BuildOptions options = PipelineOptionsFactory.fromArgs(args).withValidation().as(BuildOptions.class);
    BuildResult result = run(Recipes.load(Path.of(options.getRecipe())), Path.of(options.getOut()), options,
        SourceCache.atDefaultRoot(), Progress.NONE);
    System.out.println(result.summary());
  }

  /**
   * Builds {@code recipe} into {@code out}.
   *
   * @throws BuildException with a message that says what went wrong and what to do; nothing is written then
   */
  public static BuildResult run(Recipe recipe, Path out, BuildOptions options, SourceCache cache, Progress progress) {
    return run(recipe, out, () -> options, options.getFeaturesPerSplit(), cache, progress);
  }

  /**
   * As {@link #run(Recipe, Path, BuildOptions, SourceCache, Progress)}, with the runner's options asked for only when
   * the pipeline is made: Beam's options factory takes most of a second to start (it checks every options interface
   * on the class path), which the command line spends on another thread while the sources are checked and planned.
   */
  public static BuildResult run(Recipe recipe, Path out, java.util.function.Supplier<BuildOptions> runnerOptions,
      long featuresPerSplit, SourceCache cache, Progress progress) {
    recipe.requireLocked();
    Path target = out.toAbsolutePath().normalize();
    Path createdParent = Staging.firstMissingAncestor(target);
    Path staging = Staging.create(target);
    java.time.Instant started = java.time.Instant.now();
    boolean done = false;
    java.util.concurrent.FutureTask<BuildManifest.Code> code = BuildManifest.readAhead(home());
    try {
      Path work = Files.createDirectories(staging.resolve(".work"));
      List<Path> fetched = fetchSources(recipe, cache, progress);
      List<String> warnings = warnings(recipe, fetched);
      List<PlannedOutput> plan = plan(recipe, fetched, work, featuresPerSplit);
      StepPipeline steps = new StepPipeline(recipe, fetched, work, featuresPerSplit);

      BuildOptions options = runnerOptions.get();
      Pipeline pipeline = Pipeline.create(options);
      List<WriteSortedRuns.AfterPipeline> writes =
          compose(pipeline, recipe, plan, staging, work.resolve("runs"), options.getSortMemoryMb(), steps);
      long expected = plan.stream().mapToLong(p -> p.layer().featureCount()).sum() + steps.expected();
      PipelineResult finished = runPipeline(pipeline, expected, progress);
      writeAfterPipeline(writes, expected, progress);

      Staging.delete(work);
      BuildResult result = BuildManifest.lock(recipe, staging, BuildManifest.await(code), warnings,
          StepPipeline.stepCounts(recipe, finished.metrics()));
      requireEveryOutput(recipe, plan, result);
      RunDetails.write(staging, options, started);
      Staging.moveIntoPlace(staging, target);
      done = true;
      return result.at(target);
    } catch (IOException e) {
      throw new BuildException("build failed: " + e.getMessage(), e);
    } finally {
      if (!done) {
        Staging.delete(staging);
        Staging.removeCreatedParents(createdParent, target);
      }
    }
  }

  /** An output whose every feature was rejected has no file; say so rather than lock a build without it. */
  private static void requireEveryOutput(Recipe recipe, List<PlannedOutput> plan, BuildResult result) {
    for (Output out : recipe.outputs()) {
      String name = out.name();
      boolean written = result.manifest().outputs().stream()
          .anyMatch(o -> o.path().equals(name + ".parquet") || o.path().startsWith(name + "/"));
      if (!written) {
        long read = plan.stream().filter(p -> p.output().name().equals(name)).mapToLong(p -> p.layer().featureCount())
            .sum();
        throw new RejectsExceededException("output '" + name + "' has no rows left: "
            + (read > 0 ? "every one of the " + read + " features read was rejected" : "its steps kept none")
            + "; rejects by reason: " + result.manifest().rejects().byReason());
      }
    }
  }

  /** What the sources lack without failing the build (see {@link SourceFiles#warnings}), each printed once. */
  static List<String> warnings(Recipe recipe, List<Path> fetched) throws IOException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < fetched.size(); i++) {
      out.addAll(SourceFiles.warnings(recipe.sources().get(i), fetched.get(i)));
    }
    out.forEach(w -> System.err.println("d4c: warning: " + w));
    return out;
  }

  static List<Path> fetchSources(Recipe recipe, SourceCache cache, Progress progress) {
    List<Path> files = new ArrayList<>();
    for (Source s : recipe.sources()) {
      files.add(cache.fetch(s, recipe.recipeDir(), progress));
    }
    return files;
  }

  static List<PlannedOutput> plan(Recipe recipe, List<Path> fetched, Path work, long featuresPerSplit)
      throws IOException {
    List<PlannedOutput> plan = new ArrayList<>();
    for (Output output : recipe.outputs()) {
      if (StepPipeline.handles(recipe, output)) {
        continue; // planned while its steps are composed
      }
      int index = indexOf(recipe, output.source());
      Source s = recipe.sources().get(index);
      String datasetName = SourceFiles.datasetName(s, fetched.get(index), work.resolve("o-" + output.name()));
      OgrLayerInfo info = OgrLayers.describe(
          new OgrSource(index, s.id(), datasetName, s.layer(), s.where(), s.openOptions()), featuresPerSplit);
      if (info.featureCount() == 0) {
        throw new BuildException(recipeName(recipe) + ": output '" + output.name() + "': source '" + s.id()
            + "' has no features" + (s.where() == null ? "" : " matching where \"" + s.where() + "\"")
            + " in layer " + info.layerName() + "; check the layer and filter");
      }
      SelectFields select;
      try {
        select = SelectFields.of(info.schema(), output.select(), output.rename());
      } catch (IllegalArgumentException e) {
        // A field name that the source lacks is a mistake in the recipe: report it like the schema's findings.
        throw new RecipeException(recipe.file(), List.of("outputs[" + recipe.outputs().indexOf(output) + "]: output '"
            + output.name() + "': " + e.getMessage()));
      }
      plan.add(new PlannedOutput(output, info, select));
    }
    return plan;
  }

  private static int indexOf(Recipe recipe, String sourceId) {
    for (int i = 0; i < recipe.sources().size(); i++) {
      if (recipe.sources().get(i).id().equals(sourceId)) {
        return i;
      }
    }
    throw new BuildException(recipeName(recipe) + ": no source with id '" + sourceId + "'");
  }

  /** Where d4c's code is: its git commit and environments/ go into the manifest. */
  static Path home() {
    String home = System.getProperty("d4c.home", System.getenv().getOrDefault("D4C_HOME", "."));
    return Path.of(home).toAbsolutePath().normalize();
  }

  static String recipeName(Recipe recipe) {
    return recipe.file() == null ? "recipe" : recipe.file().getFileName().toString();
  }

  /**
   * Adds the steps of every output to the pipeline; returns the merges to run once it finished (on the Direct
   * runner, see {@link WriteSortedRuns#afterPipeline}).
   */
  static List<WriteSortedRuns.AfterPipeline> compose(Pipeline p, Recipe recipe, List<PlannedOutput> plan,
      Path staging, Path runs, int sortMemoryMb, StepPipeline steps) throws IOException {
    List<PCollection<Reject>> rejects = new ArrayList<>();
    List<WriteSortedRuns.AfterPipeline> after = new ArrayList<>();
    boolean direct = p.getOptions().getRunner().getSimpleName().equals("DirectRunner");
    String crsProjJson = Crs.projJsonOrNull(recipe.crs());
    GeoParquetOptions parquet = GeoParquetOptions.DEFAULTS
        .withRowGroupRows(Math.toIntExact(recipe.rowGroupSize()))
        .withCrsProjJson(crsProjJson)
        .withNativeGeometryType(recipe.nativeGeometry());
    steps.compose(p, staging, runs, sortMemoryMb, parquet);
    rejects.addAll(steps.rejects());
    for (PlannedOutput planned : plan) {
      String name = planned.output().name();
      OgrLayerInfo layer = planned.layer();
      // The layer's own extent (in the output CRS) spares a pass over the data; without one, compute it.
      Envelope known = plannedExtent(layer, recipe.crs());
      if (known != null) {
        // Read to written in two steps with only run files between them: memory bounded, few hand-overs.
        SelectFields select = planned.select().keepsAllInOrder(layer.schema()) ? null : planned.select();
        PCollectionTuple sorted = p.apply("Read and sort " + name, ReadSortedRuns.of(layer, select, recipe.crs(),
            recipe.promoteToMulti(), known, name, runs.toString(), sortMemoryMb));
        rejects.add(sorted.get(ReadSortedRuns.REJECTS));
        if (direct) {
          after.add(WriteSortedRuns.afterPipeline(staging.toString(), name, runs.toString(),
              planned.select().outputSchema(), parquet, recipe.maxRowsPerFile()));
        } else {
          sorted.get(ReadSortedRuns.RUNS).apply("Write " + name, WriteSortedRuns.to(staging.toString(),
              planned.select().outputSchema(), parquet, recipe.maxRowsPerFile()));
        }
        continue;
      }
      PCollectionTuple read = p.apply("Read " + layer.source().id() + " for " + name, ReadOgr.from(layer));
      rejects.add(read.get(ReadOgr.REJECTS));
      PCollection<Feature> features = read.get(ReadOgr.FEATURES);
      if (!planned.select().keepsAllInOrder(layer.schema())) {
        features = features.apply("Select fields of " + name, planned.select());
      }
      PCollectionTuple reprojected = features.apply("Reproject " + name, Reproject.from(layer.srsWkt(), recipe.crs()));
      rejects.add(reprojected.get(GeometrySteps.REJECTS));
      PCollectionTuple repaired = reprojected.get(GeometrySteps.FEATURES).apply("Repair " + name, RepairGeometry.create());
      rejects.add(repaired.get(GeometrySteps.REJECTS));
      PCollection<Feature> normal = repaired.get(GeometrySteps.FEATURES)
          .apply("Normalize " + name, NormalizeGeometry.of(recipe.promoteToMulti()));
      HilbertKey key = HilbertKey.within(normal.apply("Extent of " + name, ComputeExtent.create()));
      normal.apply("Sort key of " + name, key)
          .apply("Sort " + name, SortByHilbert.of(name, sortMemoryMb).withRunsIn(runs.toString()))
          .apply("Write " + name, WriteGeoParquet.to(staging.toString(), planned.select().outputSchema(), parquet,
              recipe.maxRowsPerFile()));
    }
    List<String> sourceIds = recipe.sources().stream().map(Source::id).toList();
    PCollectionList.of(rejects).apply("Collect rejects", Flatten.pCollections()).setCoder(RejectCoder.of())
        .apply("Write rejects", WriteRejects.to(staging.toString(), sourceIds));
    return after;
  }

  /** The merges left for after the pipeline, with their own progress line. */
  static void writeAfterPipeline(List<WriteSortedRuns.AfterPipeline> writes, long expected, Progress progress) {
    if (writes.isEmpty()) {
      return;
    }
    progress.begin("written", expected);
    Thread ticker = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          progress.update(LocalProgress.FEATURES_WRITTEN.get());
          Thread.sleep(250);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "d4c-progress");
    ticker.setDaemon(true);
    ticker.start();
    try {
      writes.forEach(WriteSortedRuns.AfterPipeline::run);
    } catch (RuntimeException e) {
      throw BuildException.from(e);
    } finally {
      ticker.interrupt();
      progress.update(LocalProgress.FEATURES_WRITTEN.get());
      progress.end();
    }
  }

  /**
   * The layer's extent in the output CRS, or null when the driver has none or it cannot be transformed. It only
   * scales the Hilbert curve: any extent derived from the locked source bytes gives the same order every time.
   */
  static Envelope plannedExtent(OgrLayerInfo layer, String crs) {
    double[] e = layer.extent();
    if (e == null) {
      return null;
    }
    if (!Reproject.needed(layer.srsWkt(), crs)) {
      return new Envelope(e[0], e[2], e[1], e[3]);
    }
    try {
      double[] t = new double[4];
      org.gdal.osr.CoordinateTransformation.CreateCoordinateTransformation(Crs.parse(layer.srsWkt()), Crs.parse(crs))
          .TransformBounds(t, e[0], e[1], e[2], e[3], 21);
      for (double v : t) {
        if (!Double.isFinite(v)) {
          return null;
        }
      }
      return new Envelope(t[0], t[2], t[1], t[3]);
    } catch (RuntimeException ex) {
      return null;
    }
  }

  /** Runs the pipeline, drawing progress from the in-JVM counters while it goes. */
  static PipelineResult runPipeline(Pipeline pipeline, long expected, Progress progress) {
    LocalProgress.reset();
    progress.begin("features", expected);
    Thread ticker = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          progress.detail(LocalProgress.steps());
          progress.update(LocalProgress.FEATURES_READ.get());
          Thread.sleep(250);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "d4c-progress");
    ticker.setDaemon(true);
    ticker.start();
    try {
      PipelineResult result = pipeline.run();
      PipelineResult.State state = result.waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new BuildException("the pipeline ended in state " + state);
      }
      return result;
    } catch (RuntimeException e) {
      throw BuildException.from(e);
    } finally {
      ticker.interrupt();
      progress.detail(LocalProgress.steps());
      progress.update(LocalProgress.FEATURES_READ.get());
      progress.end();
    }
  }

  /** Files under {@code dir}, relative, '/'-separated, sorted. */
  static List<String> listFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(f -> dir.relativize(f).toString().replace('\\', '/'))
          .sorted(Comparator.naturalOrder())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
