package org.d4c.manifests.recipe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One version of one dataset, as loaded by {@link Recipes#load(Path)}: validated, with defaults applied.
 * Optional strings are null when absent; lists are empty. {@code file} is where it was read from
 * (null when parsed from memory) and is not part of {@link #toCanonicalJson()}. {@code footprint}: the declared
 * {@code footprint.bbox} [west, south, east, north] in OGC:CRS84 degrees, empty when the recipe declares none.
 */
public record Recipe(
    Path file,
    String dataset,
    String version,
    String title,
    String description,
    String license,
    String crs,
    String datetime,
    String startDatetime,
    String endDatetime,
    List<String> keywords,
    List<Provider> providers,
    double maxRejectFraction,
    long rowGroupSize,
    long maxRowsPerFile,
    boolean nativeGeometry,
    boolean promoteToMulti,
    List<Source> sources,
    List<Output> outputs,
    List<Double> footprint) {

  public static final String DEFAULT_CRS = "OGC:CRS84";
  public static final double DEFAULT_MAX_REJECT_FRACTION = 0;
  public static final long DEFAULT_ROW_GROUP_SIZE = 100_000;
  public static final long DEFAULT_MAX_ROWS_PER_FILE = 10_000_000;

  public Recipe {
    keywords = List.copyOf(keywords);
    providers = List.copyOf(providers);
    sources = List.copyOf(sources);
    outputs = List.copyOf(outputs);
    footprint = footprint == null ? List.of() : List.copyOf(footprint);
  }

  /** The folder relative source paths are resolved against. */
  public Path recipeDir() {
    Path parent = file == null ? null : file.toAbsolutePath().getParent();
    return parent == null ? Path.of("").toAbsolutePath() : parent;
  }

  public Optional<Source> source(String id) {
    return sources.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  public boolean isLocked() {
    return sources.stream().allMatch(Source::isLocked);
  }

  /** Fails unless every source has sha256 and size: a build must know exactly which bytes it reads. */
  public Recipe requireLocked() {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      Source s = sources.get(i);
      if (s.isLocked()) continue;
      String missing = s.sha256() == null && s.size() == null ? "sha256 and size are" : s.sha256() == null ? "sha256 is" : "size is";
      problems.add("sources[" + i + "] (" + s.id() + "): not locked, " + missing + " missing; run ./d4c lock "
          + RecipeException.name(file));
    }
    if (!problems.isEmpty()) throw new RecipeException(file, problems);
    return this;
  }

  public Recipe withSources(List<Source> newSources) {
    return new Recipe(file, dataset, version, title, description, license, crs, datetime, startDatetime, endDatetime,
        keywords, providers, maxRejectFraction, rowGroupSize, maxRowsPerFile, nativeGeometry, promoteToMulti,
        newSources, outputs, footprint);
  }

  /** The recipe as it is used, defaults included, for the manifest; serialize with CanonicalJson. */
  public ObjectNode toCanonicalJson() {
    JsonNodeFactory f = JsonNodeFactory.withExactBigDecimals(true);
    ObjectNode o = f.objectNode();
    o.put("dataset", dataset).put("version", version).put("title", title).put("license", license).put("crs", crs);
    putIf(o, "description", description);
    putIf(o, "datetime", datetime);
    putIf(o, "start_datetime", startDatetime);
    putIf(o, "end_datetime", endDatetime);
    if (!keywords.isEmpty()) keywords.forEach(o.putArray("keywords")::add);
    if (!providers.isEmpty()) {
      ArrayNode a = o.putArray("providers");
      for (Provider p : providers) {
        ObjectNode po = a.addObject().put("name", p.name());
        putIf(po, "description", p.description());
        if (!p.roles().isEmpty()) p.roles().forEach(po.putArray("roles")::add);
        putIf(po, "url", p.url());
      }
    }
    o.put("max_reject_fraction", BigDecimal.valueOf(maxRejectFraction));
    o.put("row_group_size", rowGroupSize);
    o.put("max_rows_per_file", maxRowsPerFile);
    o.put("native_geometry", nativeGeometry);
    o.put("promote_to_multi", promoteToMulti);
    ArrayNode sa = o.putArray("sources");
    for (Source s : sources) {
      ObjectNode so = sa.addObject().put("id", s.id());
      s.urls().forEach(so.putArray("urls")::add);
      putIf(so, "sha256", s.sha256());
      if (s.size() != null) so.put("size", s.size());
      putIf(so, "layer", s.layer());
      putIf(so, "path", s.path());
      putIf(so, "where", s.where());
      if (!s.openOptions().isEmpty()) s.openOptions().forEach(so.putArray("open_options")::add);
      TableOptions t = s.table();
      if (t != null) {
        putIf(so, "encoding", t.encoding());
        putIf(so, "delimiter", t.delimiter());
        if (!t.nullValues().isEmpty()) t.nullValues().forEach(so.putArray("null_values")::add);
        if (!t.types().isEmpty()) t.types().forEach(so.putObject("types")::put);
        putIf(so, "x", t.x());
        putIf(so, "y", t.y());
        putIf(so, "crs", t.crs());
      }
    }
    // Only when declared: the manifests of recipes without it keep their bytes.
    if (!footprint.isEmpty()) {
      ArrayNode box = o.putObject("footprint").putArray("bbox");
      footprint.forEach(v -> box.add(BigDecimal.valueOf(v)));
    }
    ArrayNode oa = o.putArray("outputs");
    for (Output out : outputs) {
      ObjectNode oo = oa.addObject().put("name", out.name()).put("source", out.source());
      if (!out.select().isEmpty()) out.select().forEach(oo.putArray("select")::add);
      if (!out.rename().isEmpty()) out.rename().forEach(oo.putObject("rename")::put);
      putIf(oo, "geometry", out.geometry());
      if (!out.orderBy().isEmpty()) out.orderBy().forEach(oo.putArray("order_by")::add);
      if (!out.steps().isEmpty()) {
        ArrayNode steps = oo.putArray("steps");
        out.steps().forEach(st -> steps.addObject().set(st.type(), st.spec().deepCopy()));
      }
    }
    return o;
  }

  private static void putIf(ObjectNode o, String key, String value) {
    if (value != null) o.put(key, value);
  }
}
