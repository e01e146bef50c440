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
    for (int i = 0; outputs != null && i < outputs.size(); i++) {
      JsonNode o = outputs.get(i);
      String at = "outputs[" + i + "]";
      if (!names.add(o.get("name").asText())) p.add(at + ".name: duplicate output name \"" + o.get("name").asText() + "\"");
      if (!ids.containsKey(o.get("source").asText())) {
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
    return p;
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
          strings(s.get("open_options"))));
    }
    List<Output> outputs = new ArrayList<>();
    if (r.has("outputs")) {
      for (JsonNode o : r.get("outputs")) {
        Map<String, String> rename = new LinkedHashMap<>();
        if (o.has("rename")) o.get("rename").fields().forEachRemaining(e -> rename.put(e.getKey(), e.getValue().asText()));
        outputs.add(new Output(text(o, "name"), text(o, "source"), strings(o.get("select")), rename));
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
        sources, outputs);
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
