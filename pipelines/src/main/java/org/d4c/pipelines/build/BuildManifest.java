package org.d4c.pipelines.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.EnvironmentDigest;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.geoparquet.ParquetFooters;
import org.d4c.transforms.geoparquet.GeoParquetOptions;
import org.d4c.transforms.sort.HilbertKey;
import org.d4c.transforms.write.WriteRejects;

/** Writes the lock of a finished build: hashes every output, counts rejects and checks them against the recipe. */
final class BuildManifest {
  static final String REJECTS_MEDIA_TYPE = "application/x-ndjson";

  private BuildManifest() {}

  static BuildResult lock(Recipe recipe, Path staging, Path home, List<String> warnings) throws IOException {
    return lock(recipe, staging, Code.of(home), warnings, Map.of());
  }

  /**
   * What the manifest records of the code and its environment: the git commit and state (JGit's status walk takes
   * a few hundred milliseconds) and the environments' digest. Read once, while the pipeline runs
   * ({@link #readAhead}): the code that runs is the code at the build's start.
   */
  record Code(Path repoRoot, CodeVersion version, Manifest.Environment environment) {
    static Code of(Path home) {
      Path repoRoot = CodeVersion.repoRoot(home).orElse(null);
      CodeVersion version = CodeVersion.detect(home);
      return new Code(repoRoot, version, new Manifest.Environment(
          EnvironmentDigest.of(home.resolve("environments"), repoRoot == null ? home : repoRoot), Versions.software()));
    }
  }

  /** {@link Code#of} on a thread of its own; {@link java.util.concurrent.FutureTask#get} gives it or its failure. */
  static java.util.concurrent.FutureTask<Code> readAhead(Path home) {
    java.util.concurrent.FutureTask<Code> task = new java.util.concurrent.FutureTask<>(() -> Code.of(home));
    Thread t = new Thread(task, "d4c-code-version");
    t.setDaemon(true);
    t.start();
    return task;
  }

  /** The result of {@link #readAhead}, with its failure rethrown as it was. */
  static Code await(java.util.concurrent.FutureTask<Code> code) {
    try {
      return code.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException("interrupted while reading the code version", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw new BuildException("reading the code version failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** @param steps each output's step counts (outputs without steps absent), added to its files' entries */
  static BuildResult lock(Recipe recipe, Path staging, Code code, List<String> warnings,
      Map<String, List<Manifest.StepCount>> steps) throws IOException {
    List<Manifest.OutputFile> outputs = new ArrayList<>();
    long rows = 0;
    for (String rel : BuildDataset.listFiles(staging)) {
      Path file = staging.resolve(rel);
      if (rel.endsWith(".parquet")) {
        long n = ParquetFooters.read(file).getBlocks().stream().mapToLong(b -> b.getRowCount()).sum();
        rows += n;
        outputs.add(Manifest.OutputFile.of(staging, file, n, Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA)
            .withSteps(stepsOf(rel, steps)));
      }
    }
    Manifest.Rejects rejects = countRejects(staging.resolve(WriteRejects.FILE_NAME));
    if (rejects.total() > 0) {
      outputs.add(Manifest.OutputFile.of(staging, staging.resolve(WriteRejects.FILE_NAME), rejects.total(),
          REJECTS_MEDIA_TYPE, Manifest.OutputFile.REJECTS));
    }
    checkRejects(recipe, rows, rejects, staging.resolve(WriteRejects.FILE_NAME));

    String recipePath = recipe.file() == null ? "recipe.yaml" : Manifests.recipePath(recipe.file(), code.repoRoot());
    Manifest manifest = Manifest.of(recipe, recipePath, code.version(), code.environment(), parameters(recipe), outputs, rejects)
        .withWarnings(warnings);
    Manifests.write(staging, manifest);
    return new BuildResult(manifest, staging);
  }

  /** The step counts of the output a file belongs to ({@code NAME.parquet} or {@code NAME/...}), or null. */
  static List<Manifest.StepCount> stepsOf(String rel, Map<String, List<Manifest.StepCount>> steps) {
    for (Map.Entry<String, List<Manifest.StepCount>> e : steps.entrySet()) {
      if (rel.equals(e.getKey() + ".parquet") || rel.startsWith(e.getKey() + "/")) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The parameters that shape output bytes beyond the recipe itself. */
  static Map<String, Object> parameters(Recipe recipe) {
    Map<String, Object> p = new TreeMap<>();
    GeoParquetOptions d = GeoParquetOptions.DEFAULTS;
    p.put("crs", recipe.crs());
    p.put("geoparquet_version", "1.1.0");
    p.put("geometry_encoding", "WKB (2D, little-endian)");
    p.put("orientation", "counterclockwise");
    p.put("compression", "zstd");
    p.put("compression_level", (long) d.zstdLevel());
    p.put("sort", "hilbert(bbox centre within layer extent), source, fid");
    p.put("hilbert_bits_per_axis", (long) HilbertKey.BITS);
    p.put("row_group_size", recipe.rowGroupSize());
    p.put("max_rows_per_file", recipe.maxRowsPerFile());
    p.put("native_geometry", recipe.nativeGeometry());
    p.put("promote_to_multi", recipe.promoteToMulti());
    return p;
  }

  static Manifest.Rejects countRejects(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Manifest.Rejects.NONE;
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, Long> bySource = new TreeMap<>();
    long total = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        JsonNode r = json.readTree(line);
        byReason.merge(r.get("reason").asText(), 1L, Long::sum);
        bySource.merge(r.get("source").asText(), 1L, Long::sum);
        total++;
      }
    }
    return new Manifest.Rejects(total, byReason, bySource);
  }

  static void checkRejects(Recipe recipe, long rows, Manifest.Rejects rejects, Path file) throws IOException {
    long total = rows + rejects.total();
    if (rejects.total() == 0 || rejects.total() <= recipe.maxRejectFraction() * total) {
      return;
    }
    List<String> examples = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; examples.size() < 3 && (line = in.readLine()) != null; ) {
        examples.add("    " + (line.length() > 300 ? line.substring(0, 300) + "..." : line));
      }
    }
    Map<String, Long> reasons = new LinkedHashMap<>(rejects.byReason());
    throw new RejectsExceededException(String.format(java.util.Locale.ROOT,
        "%d of %d records were rejected (%.4f%%), more than the recipe's max_reject_fraction %s allows%n"
            + "  by reason: %s%n  first rejects:%n%s%n"
            + "Fix the source, or raise max_reject_fraction in the recipe to accept them (they are kept in %s).",
        rejects.total(), total, 100.0 * rejects.total() / total, recipe.maxRejectFraction(), reasons,
        String.join("\n", examples), WriteRejects.FILE_NAME));
  }
}
