package org.d4c.pipelines.cli;

import org.d4c.core.error.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.d4c.manifests.sources.SourceCache;
import org.d4c.pipelines.build.BuildOptions;
import picocli.CommandLine.Option;

/** How a build runs: which Beam runner, where, how wide. Shared by build, reproduce and demo. */
final class RunnerOptions {
  @Option(names = "--runner", defaultValue = "direct", paramLabel = "direct|flink",
      description = "Beam runner: direct (in this process, default) or flink (mini-cluster or a real cluster).")
  String runner;

  @Option(names = "--flink-master", defaultValue = "[local]", paramLabel = "[local]|HOST:PORT",
      description = "With --runner flink: [local] starts an embedded mini-cluster (default); HOST:PORT submits to"
          + " the REST endpoint of a running cluster's JobManager (needs --job-jar).")
  String flinkMaster;

  @Option(names = "--job-jar", paramLabel = "JAR", defaultValue = "${env:D4C_JOB_JAR}",
      description = "With --flink-master HOST:PORT: the shaded job jar the cluster runs (./d4c jobjar prints its"
          + " path). Default: $D4C_JOB_JAR.")
  String jobJar;

  @Option(names = "--parallelism", paramLabel = "N", description = "Workers (threads or task slots). Default: cores - 1"
      + " (at least 1) on the Direct runner, whose scheduler takes a core; Flink's own default on Flink.")
  Integer parallelism;

  @Option(names = "--features-per-split", defaultValue = "50000", paramLabel = "N",
      description = "At most N features per parallel read part (does not change output bytes).")
  long featuresPerSplit;

  @Option(names = "--sort-memory-mb", defaultValue = "256", paramLabel = "MB",
      description = "Memory the sort may use before spilling to disk (does not change output bytes).")
  int sortMemoryMb;

  @Option(names = "--cache", paramLabel = "DIR",
      description = "Source cache folder. Default: $D4C_CACHE/sources or ~/.cache/d4c/sources.")
  Path cache;

  SourceCache sourceCache() {
    return cache == null ? SourceCache.atDefaultRoot() : new SourceCache(cache);
  }

  /**
   * {@link #toBeam()} started on another thread (Beam's options factory takes most of a second to start); the
   * supplier waits for it and rethrows what it threw (a usage error stays a usage error).
   */
  java.util.function.Supplier<BuildOptions> toBeamInBackground() {
    String[] args = beamArgs(); // usage errors here, at once
    java.util.concurrent.CompletableFuture<BuildOptions> f =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> toBeam(args));
    return () -> {
      try {
        return f.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    };
  }

  BuildOptions toBeam() {
    return toBeam(beamArgs());
  }

  private static BuildOptions toBeam(String[] args) {
    PipelineOptionsFactory.register(BuildOptions.class);
    return PipelineOptionsFactory.fromArgs(args).as(BuildOptions.class);
  }

  /** Beam's arguments for these options; a UsageException for a bad runner or a missing job jar. */
  private String[] beamArgs() {
    List<String> args = new ArrayList<>();
    switch (runner) {
      case "direct" -> {
        args.add("--runner=DirectRunner");
        // Beam's checks for mutated or unencodable elements are debugging aids; the transforms' tests keep them on.
        args.add("--enforceImmutability=false");
        args.add("--enforceEncodability=false");
        // The Direct runner's scheduler polls without pause on a worker thread whenever one is idle; leaving it a
        // core is faster than giving every core a worker (bench/build-scaling.sh: 18 s at 1 worker, 21 s at 2 and
        // 33 s at 4 on 2 cores for 1M features).
        int workers = parallelism != null ? parallelism : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        args.add("--targetParallelism=" + workers);
      }
      case "flink" -> {
        args.add("--runner=FlinkRunner");
        args.add("--flinkMaster=" + flinkMaster);
        // Each bundle ends in a sorted run file; Flink's default of 1,000 elements would make thousands of runs.
        args.add("--maxBundleSize=100000");
        if (parallelism != null) {
          args.add("--parallelism=" + parallelism);
        }
        if (!flinkMaster.equals("[local]")) {
          if (jobJar == null || !java.nio.file.Files.isRegularFile(Path.of(jobJar))) {
            throw new UsageException("--flink-master " + flinkMaster + " needs the job jar: build it with"
                + " ./d4c jobjar and pass its path with --job-jar (or D4C_JOB_JAR)"
                + (jobJar == null ? "" : "; " + jobJar + " does not exist"));
          }
          args.add("--filesToStage=" + jobJar);
        }
      }
      default -> throw new UsageException("unknown --runner '" + runner + "': use direct or flink");
    }
    args.add("--featuresPerSplit=" + featuresPerSplit);
    args.add("--sortMemoryMb=" + sortMemoryMb);
    return args.toArray(String[]::new);
  }
}
