package org.d4c.manifests.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.d4c.core.io.Redact;
import org.d4c.core.json.SchemaCheck;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Loads recipes: YAML, then the JSON Schema, then checks across fields, then defaults. */
public final class Recipes {
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION) // a key written twice is a mistake, not "last wins"
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final SchemaCheck SCHEMA = SchemaCheck.fromResource(Recipes.class, "recipe.schema.json");

  private Recipes() {}

  public static SchemaCheck schema() {
    return SCHEMA;
  }

  public static Recipe load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RecipeException(file, List.of("cannot read: " + e));
    }
    return parse(text, file);
  }

  /** Parses recipe text; {@code file} names it in messages and anchors relative source paths (may be null). */
  public static Recipe parse(String yaml, Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new RecipeException(file, List.of(yamlError(e)));
    }
    if (root == null || root.isMissingNode() || root.isNull()) throw new RecipeException(file, List.of("empty recipe"));
    List<String> problems = SCHEMA.validate(root);
    if (!problems.isEmpty()) throw new RecipeException(file, problems);
    problems = crossCheck(root);
    if (!problems.isEmpty()) throw new RecipeException(file, problems);
    return build(root, file);
  }

  /** SnakeYAML's problem and context without its multi-line source excerpt. */
  public static String yamlError(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        String context = m.getContext() == null ? "" : " (" + m.getContext()
            + (m.getContextMark() == null ? "" : " started at line " + (m.getContextMark().getLine() + 1)) + ")";
        return "line " + (m.getProblemMark().getLine() + 1) + ", column " + (m.getProblemMark().getColumn() + 1)
            + ": not valid YAML: " + m.getProblem() + context;
      }
    }
    JsonLocation l = e.getLocation();
    String at = l == null ? "" : "line " + l.getLineNr() + ", column " + l.getColumnNr() + ": ";
    return at + "not valid YAML: " + e.getOriginalMessage().strip().replaceAll("\\s*\n\\s*", " ");
  }

  /** What the schema cannot say: references between fields. */
  private static List<String> crossCheck(JsonNode r) {
    List<String> p = new ArrayList<>();
    Map<String, Integer> ids = new LinkedHashMap<>();
    JsonNode sources = r.get("sources");
    for (int i = 0; i < sources.size(); i++) {
      JsonNode s = sources.get(i);
      Integer first = ids.putIfAbsent(s.get("id").asText(), i);
      if (first != null) p.add("sources[" + i + "].id: duplicate source id \"" + s.get("id").asText() + "\" (also sources[" + first + "])");
      JsonNode urls = s.get("urls");
      for (int u = 0; u < urls.size(); u++) {
        String url = urls.get(u).asText();
        if (hasUserInfo(url) || !Redact.url(url).equals(url)) {
          p.add("sources[" + i + "].urls[" + u + "]: credentials in URLs (user:password@, tokens, signatures) are not allowed: "
              + "they would be copied into manifests; got \"" + Redact.url(url) + "\"");
        }
      }
    }
    JsonNode outputs = r.get("outputs");
    if (outputs == null && sources.size() > 1) {
      p.add("outputs: required when there are several sources (" + sources.size() + "): name one output per file to build");
    }
    Set<String> names = new HashSet<>();
    Set<String> outputNames = new HashSet<>();
    for (int i = 0; outputs != null && i < outputs.size(); i++) outputNames.add(outputs.get(i).get("name").asText());
    for (int i = 0; outputs != null && i < outputs.size(); i++) {
      JsonNode o = outputs.get(i);
      String at = "outputs[" + i + "]";
      if (!names.add(o.get("name").asText())) p.add(at + ".name: duplicate output name \"" + o.get("name").asText() + "\"");
      if (!ids.containsKey(o.get("source").asText()) && !outputNames.contains(o.get("source").asText())) {
        p.add(at + ".source: unknown source \"" + o.get("source").asText() + "\" (sources: " + String.join(", ", ids.keySet()) + ")");
      }
      JsonNode select = o.get("select");
      JsonNode rename = o.get("rename");
      if (rename == null) continue;
      Set<String> selected = new HashSet<>();
      if (select != null) select.forEach(f -> selected.add(f.asText()));
      Map<String, String> finalNames = new HashMap<>();
      if (select != null) select.forEach(f -> finalNames.put(f.asText(), f.asText()));
      for (var it = rename.fields(); it.hasNext(); ) {
        var e = it.next();
        if (select != null && !selected.contains(e.getKey())) {
          p.add(at + ".rename." + e.getKey() + ": renames a field that is not in select (" + String.join(", ", selectList(select)) + ")");
        }
        finalNames.put(e.getKey(), e.getValue().asText());
      }
      Set<String> seen = new HashSet<>();
      for (String name : finalNames.values()) {
        if (!seen.add(name)) p.add(at + ".rename: two fields would both be named \"" + name + "\"");
      }
    }
    checkReferences(r, ids, p);
    String dt = text(r, "datetime"), start = text(r, "start_datetime"), end = text(r, "end_datetime");
    for (String f : List.of("datetime", "start_datetime", "end_datetime")) {
      String v = text(r, f);
      try {
        if (v != null) LocalDate.parse(v);
      } catch (DateTimeParseException e) {
        p.add(f + ": not a calendar date, got \"" + v + "\"");
      }
    }
    if (dt != null && (start != null || end != null)) p.add("datetime: give either datetime or start_datetime/end_datetime, not both");
    if ((start == null) != (end == null)) p.add((start == null ? "start_datetime" : "end_datetime") + ": required together with " + (start == null ? "end_datetime" : "start_datetime"));
    if (start != null && end != null && start.compareTo(end) > 0) p.add("end_datetime: before start_datetime (" + start + "), got \"" + end + "\"");
    checkFootprint(r, p);
    return p;
  }

  /**
   * {@code footprint.bbox}: the schema checks four numbers; here their ranges and order. West must be below east: a
   * box across the antimeridian would need a MultiPolygon item geometry, which nothing here builds yet, and a box
   * without area is not a polygon.
   */
  private static void checkFootprint(JsonNode r, List<String> p) {
    JsonNode b = r.path("footprint").path("bbox");
    if (b.size() != 4) return;
    String[] names = {"west", "south", "east", "north"};
    boolean inRange = true;
    for (int i = 0; i < 4; i++) {
      double v = b.get(i).doubleValue();
      double limit = i % 2 == 0 ? 180 : 90;
      if (!(v >= -limit && v <= limit)) {
        p.add("footprint.bbox[" + i + "] (" + names[i] + "): expected " + (i % 2 == 0 ? "a longitude" : "a latitude")
            + " in -" + (int) limit + ".." + (int) limit + " (OGC:CRS84 degrees), got " + b.get(i).asText());
        inRange = false;
      }
    }
    if (!inRange) return;
    if (b.get(1).doubleValue() >= b.get(3).doubleValue()) {
      p.add("footprint.bbox: south (" + b.get(1).asText() + ") must be below north (" + b.get(3).asText()
          + "); expected [west, south, east, north]");
    }
    if (b.get(0).doubleValue() >= b.get(2).doubleValue()) {
      p.add("footprint.bbox: west (" + b.get(0).asText() + ") must be below east (" + b.get(2).asText()
          + "); expected [west, south, east, north] (a box across the antimeridian is not supported)");
    }
  }

  private static List<String> selectList(JsonNode select) {
    List<String> l = new ArrayList<>();
    select.forEach(f -> l.add(f.asText()));
    return l;
  }

  private static boolean hasUserInfo(String url) {
    try {
      return url.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") && URI.create(url).getRawUserInfo() != null;
    } catch (IllegalArgumentException e) {
      return url.matches("^[A-Za-z][A-Za-z0-9+.-]*://[^/]*@.*"); // unparseable: look for user@host by hand
    }
  }

  private static Recipe build(JsonNode r, Path file) {
    List<Source> sources = new ArrayList<>();
    for (JsonNode s : r.get("sources")) {
      sources.add(new Source(text(s, "id"), strings(s.get("urls")), text(s, "sha256"),
          s.hasNonNull("size") ? s.get("size").asLong() : null, text(s, "layer"), text(s, "path"), text(s, "where"),
          strings(s.get("open_options")), tableOptions(s)));
    }
    List<Output> outputs = new ArrayList<>();
    if (r.has("outputs")) {
      for (JsonNode o : r.get("outputs")) {
        Map<String, String> rename = new LinkedHashMap<>();
        if (o.has("rename")) o.get("rename").fields().forEachRemaining(e -> rename.put(e.getKey(), e.getValue().asText()));
        List<Step> steps = new ArrayList<>();
        if (o.has("steps")) {
          for (JsonNode st : o.get("steps")) {
            var only = st.fields().next();
            steps.add(new Step(only.getKey(), only.getValue()));
          }
        }
        outputs.add(new Output(text(o, "name"), text(o, "source"), strings(o.get("select")), rename, steps,
            text(o, "geometry"), strings(o.get("order_by"))));
      }
    } else {
      outputs.add(new Output(text(r, "dataset"), sources.get(0).id(), List.of(), Map.of()));
    }
    List<Provider> providers = new ArrayList<>();
    if (r.has("providers")) {
      for (JsonNode p : r.get("providers")) {
        providers.add(new Provider(text(p, "name"), text(p, "description"), strings(p.get("roles")), text(p, "url")));
      }
    }
    return new Recipe(file, text(r, "dataset"), text(r, "version"), text(r, "title"), text(r, "description"),
        text(r, "license"), r.has("crs") ? text(r, "crs") : Recipe.DEFAULT_CRS,
        text(r, "datetime"), text(r, "start_datetime"), text(r, "end_datetime"),
        strings(r.get("keywords")), providers,
        r.has("max_reject_fraction") ? r.get("max_reject_fraction").asDouble() : Recipe.DEFAULT_MAX_REJECT_FRACTION,
        r.has("row_group_size") ? r.get("row_group_size").asLong() : Recipe.DEFAULT_ROW_GROUP_SIZE,
        r.has("max_rows_per_file") ? r.get("max_rows_per_file").asLong() : Recipe.DEFAULT_MAX_ROWS_PER_FILE,
        r.path("native_geometry").asBoolean(false), r.path("promote_to_multi").asBoolean(true),
        sources, outputs, footprint(r));
  }

  private static List<Double> footprint(JsonNode r) {
    List<Double> out = new ArrayList<>();
    r.path("footprint").path("bbox").forEach(v -> out.add(v.doubleValue()));
    return out;
  }

  private static TableOptions tableOptions(JsonNode s) {
    Map<String, String> types = new LinkedHashMap<>();
    if (s.has("types")) s.get("types").fields().forEachRemaining(e -> types.put(e.getKey(), e.getValue().asText()));
    return new TableOptions(text(s, "encoding"), text(s, "delimiter"), strings(s.get("null_values")), types,
        text(s, "x"), text(s, "y"), text(s, "crs"));
  }

  /**
   * References of steps and outputs: every step that reads another source or output names one that exists, an
   * output built from another output, and no output depends on itself through a chain of them.
   */
  private static void checkReferences(JsonNode r, Map<String, Integer> sourceIds, List<String> p) {
    JsonNode outputs = r.get("outputs");
    if (outputs == null) return;
    Map<String, Integer> outputIds = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) outputIds.putIfAbsent(outputs.get(i).get("name").asText(), i);
    Map<String, List<String>> dependsOn = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      JsonNode o = outputs.get(i);
      String name = o.get("name").asText();
      List<String> deps = dependsOn.computeIfAbsent(name, k -> new ArrayList<>());
      String src = o.get("source").asText();
      if (outputIds.containsKey(src) && !sourceIds.containsKey(src)) deps.add(src);
      JsonNode steps = o.get("steps");
      for (int j = 0; steps != null && j < steps.size(); j++) {
        var only = steps.get(j).fields().next();
        JsonNode ref = only.getValue().path("source");
        if (!ref.isTextual() || only.getValue().isTextual()) continue;
        String at = "outputs[" + i + "].steps[" + j + "]." + only.getKey() + ".source";
        String id = ref.asText();
        if (sourceIds.containsKey(id) && outputIds.containsKey(id)) {
          p.add(at + ": \"" + id + "\" names both a source and an output; rename one of them");
          continue;
        }
        if (sourceIds.containsKey(id)) continue;
        if (outputIds.containsKey(id)) {
          deps.add(id);
        } else {
          p.add(at + ": unknown source or output \"" + id + "\" (sources: " + String.join(", ", sourceIds.keySet())
              + "; outputs: " + String.join(", ", outputIds.keySet()) + ")");
        }
      }
      if (o.has("order_by") && "none".equals(o.path("geometry").asText()) == false && o.path("steps").isMissingNode()) {
        // order_by orders tables and outputs with steps; a plain copy is ordered along the Hilbert curve.
        p.add("outputs[" + i + "].order_by: only a table (geometry: none) or an output with steps can be ordered by a"
            + " key; a plain spatial output is ordered along its Hilbert curve");
      }
    }
    // Depth-first search for a cycle; the path is reported in recipe order.
    Map<String, Integer> state = new HashMap<>();
    for (String start : dependsOn.keySet()) {
      List<String> cycle = findCycle(start, dependsOn, state, new ArrayList<>());
      if (cycle != null) {
        p.add("outputs[" + outputIds.get(cycle.get(0)) + "]: the outputs depend on each other in a cycle: "
            + String.join(" -> ", cycle) + "; an output can only read outputs that do not read it back");
        return;
      }
    }
  }

  private static List<String> findCycle(String node, Map<String, List<String>> deps, Map<String, Integer> state,
      List<String> path) {
    Integer st = state.get(node);
    if (st != null && st == 2) return null;
    if (st != null && st == 1) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
      cycle.add(node);
      return cycle;
    }
    state.put(node, 1);
    path.add(node);
    for (String d : deps.getOrDefault(node, List.of())) {
      List<String> c = findCycle(d, deps, state, path);
      if (c != null) return c;
    }
    path.remove(path.size() - 1);
    state.put(node, 2);
    return null;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) array.forEach(e -> out.add(e.asText()));
    return out;
  }
}
