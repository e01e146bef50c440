package org.d4c.manifests.lock;

import org.d4c.core.hash.Hashing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Source;
import org.d4c.core.io.Redact;
import org.d4c.core.json.CanonicalJson;

/**
 * {@code manifest.json}, the lock of one build: which recipe, source bytes, code and environment went in and
 * which bytes came out. Shaped after SLSA provenance v1 ({@code build_type}, {@code resolved_dependencies},
 * parameters). Holds no wall-clock time, host name, absolute path or secret, so rebuilding the same inputs
 * gives the same manifest bytes. Collections are sorted here, in the constructors, not by the caller.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
    @JsonProperty("manifest_version") int manifestVersion,
    @JsonProperty("build_type") String buildType,
    String dataset,
    String version,
    String title,
    String license,
    @JsonProperty("recipe_path") String recipePath,
    JsonNode recipe,
    @JsonProperty("resolved_dependencies") ResolvedDependencies resolvedDependencies,
    Map<String, Object> parameters,
    List<OutputFile> outputs,
    Rejects rejects,
    List<String> warnings) {

  public static final int VERSION = 1;
  public static final String BUILD_TYPE = "d4c-build/v1";

  public Manifest {
    requireRelative(recipePath, "recipe_path");
    recipe = CanonicalJson.toTree(recipe); // one node type per number, so equals survives a round trip
    parameters = scalars(parameters);
    outputs = outputs.stream().sorted(Comparator.comparing(OutputFile::path)).toList();
    if (rejects == null) rejects = Rejects.NONE;
    // Absent rather than empty, so a build without warnings has the manifest bytes it always had.
    warnings = warnings == null || warnings.isEmpty() ? null : warnings.stream().sorted().toList();
  }

  /**
   * This manifest with {@code warnings}: what the build read but could not take in full without failing (a shapefile
   * without its .dbf has no attributes); each one sentence naming the source, counted by the size of the list.
   */
  public Manifest withWarnings(List<String> warnings) {
    return new Manifest(manifestVersion, buildType, dataset, version, title, license, recipePath, recipe,
        resolvedDependencies, parameters, outputs, rejects, warnings);
  }

  /** A manifest for a locked recipe; {@code recipePath} as given by {@link Manifests#recipePath}. */
  public static Manifest of(Recipe recipe, String recipePath, CodeVersion code, Environment environment,
      Map<String, ?> parameters, List<OutputFile> outputs, Rejects rejects) {
    recipe.requireLocked();
    List<SourceDigest> sources = recipe.sources().stream().map(SourceDigest::of).toList();
    return new Manifest(VERSION, BUILD_TYPE, recipe.dataset(), recipe.version(), recipe.title(), recipe.license(),
        recipePath, recipe.toCanonicalJson(), new ResolvedDependencies(sources, code, environment),
        new TreeMap<>(parameters), outputs, rejects, null);
  }

  public record ResolvedDependencies(List<SourceDigest> sources, CodeVersion code, Environment environment) {
    public ResolvedDependencies {
      sources = List.copyOf(sources); // recipe order, which is meaningful
    }
  }

  public record SourceDigest(String id, List<String> urls, String sha256, long size) {
    public SourceDigest {
      urls = urls.stream().map(Redact::url).toList();
    }

    public static SourceDigest of(Source s) {
      return new SourceDigest(s.id(), s.urls(), s.sha256(), s.size());
    }
  }

  /** {@code definitions}: sha256 of each file under environments/; {@code software}: name to version. */
  public record Environment(Map<String, String> definitions, Map<String, String> software) {
    public Environment {
      definitions = Collections.unmodifiableSortedMap(new TreeMap<>(definitions));
      software = Collections.unmodifiableSortedMap(new TreeMap<>(software));
    }
  }

  /**
   * One file of the build. {@code steps}: the rows into and out of each step of the recipe output the file belongs to,
   * in recipe order; absent (null) for an output without steps, so such manifests keep their bytes.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OutputFile(String path, String sha256, long size, long rows,
      @JsonProperty("media_type") String mediaType, String role, List<StepCount> steps) {
    public static final String DATA = "data";
    public static final String REJECTS = "rejects";
    public static final String PARQUET = "application/vnd.apache.parquet";

    public OutputFile {
      requireRelative(path, "outputs.path");
      if (!DATA.equals(role) && !REJECTS.equals(role)) throw new IllegalArgumentException("role must be data or rejects, got " + role);
      steps = steps == null || steps.isEmpty() ? null : List.copyOf(steps);
    }

    public OutputFile(String path, String sha256, long size, long rows, String mediaType, String role) {
      this(path, sha256, size, rows, mediaType, role, null);
    }

    /** This entry with the step counts of its output. */
    public OutputFile withSteps(List<StepCount> counts) {
      return new OutputFile(path, sha256, size, rows, mediaType, role, counts);
    }

    /** Hashes {@code file}, which must be inside {@code buildDir}. */
    public static OutputFile of(Path buildDir, Path file, long rows, String mediaType, String role) {
      String rel = Manifests.slashPath(buildDir.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()));
      try {
        return new OutputFile(rel, Hashing.sha256(file), Files.size(file), rows, mediaType, role);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Rows of one step of an output: {@code step} is its place and type, e.g. {@code steps[0].pivot}; rows in, rows
   * out, and rows it rejected (in {@code rejects.jsonl}).
   */
  public record StepCount(String step, @JsonProperty("rows_in") long rowsIn, @JsonProperty("rows_out") long rowsOut,
      long rejected) {}

  public record Rejects(long total,
      @JsonProperty("by_reason") Map<String, Long> byReason,
      @JsonProperty("by_source") Map<String, Long> bySource) {
    public static final Rejects NONE = new Rejects(0, Map.of(), Map.of());

    public Rejects {
      byReason = Collections.unmodifiableSortedMap(new TreeMap<>(byReason));
      bySource = Collections.unmodifiableSortedMap(new TreeMap<>(bySource));
    }
  }

  static void requireRelative(String path, String field) {
    if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.matches("^[A-Za-z]:.*")
        || ("/" + path + "/").contains("/../")) {
      throw new IllegalArgumentException(field + " must be a relative path with '/' separators, got \"" + path + "\"");
    }
  }

  /** Only strings, booleans and numbers; numbers in one form each (Long or exact BigDecimal) so equals survives a round trip. */
  private static Map<String, Object> scalars(Map<String, Object> in) {
    TreeMap<String, Object> out = new TreeMap<>();
    if (in == null) return Collections.unmodifiableSortedMap(out);
    in.forEach((k, v) -> {
      Object n;
      if (v instanceof String || v instanceof Boolean) n = v;
      else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) n = ((Number) v).longValue();
      else if (v instanceof Number num) n = number(num);
      else throw new IllegalArgumentException("parameter " + k + " must be a string, number or boolean, got " + v);
      out.put(k, n);
    });
    return Collections.unmodifiableSortedMap(out);
  }

  private static Object number(Number num) {
    BigDecimal d;
    if (num instanceof BigDecimal b) d = b;
    else if (num instanceof BigInteger b) d = new BigDecimal(b);
    else if (Double.isFinite(num.doubleValue())) d = BigDecimal.valueOf(num.doubleValue());
    else throw new IllegalArgumentException("NaN or infinite parameter: " + num);
    d = d.stripTrailingZeros();
    if (d.scale() > 0) return d;
    BigInteger i = d.toBigIntegerExact();
    return i.bitLength() < 64 ? (Object) i.longValue() : d.setScale(0);
  }
}
