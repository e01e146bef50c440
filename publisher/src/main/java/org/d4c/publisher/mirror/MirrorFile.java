package org.d4c.publisher.mirror;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.d4c.core.json.SchemaCheck;
import org.d4c.manifests.recipe.Recipes;

/**
 * The mirror file (YAML, checked against {@code mirrors.schema.json}): the places a version is published to. It names
 * environment variables, never credentials; {@link Credentials} reads them when a mirror is used.
 */
public final class MirrorFile {
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final SchemaCheck SCHEMA = SchemaCheck.fromResource(MirrorFile.class, "mirrors.schema.json");

  /** One mirror of the file. */
  public sealed interface Config permits S3, Zenodo, Archive, Local {
    String id();

    /** The HTTP base a BEP 19 web seed and STAC hrefs use ({@code <base><dataset>-<version>/<file>}), or null. */
    default String publicUrl() {
      return null;
    }

    /** Whether the catalog is published here too. */
    default boolean takesCatalog() {
      return false;
    }

    String type();
  }

  public record S3(String id, URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
      String publicUrl, String accessKeyEnv, String secretKeyEnv, Path credentialsFile, String profile,
      int partSizeMib, int concurrency, boolean catalog) implements Config {
    @Override public String type() {
      return "s3";
    }

    @Override public boolean takesCatalog() {
      return catalog;
    }
  }

  public record Zenodo(String id, URI url, String tokenEnv, String community, List<String> creators) implements Config {
    @Override public String type() {
      return "zenodo";
    }
  }

  public record Archive(String id, URI endpoint, URI archiveUrl, String itemPrefix, String collection,
      String accessKeyEnv, String secretKeyEnv) implements Config {
    @Override public String type() {
      return "internet-archive";
    }
  }

  public record Local(String id, Path path, String publicUrl, boolean catalog) implements Config {
    @Override public String type() {
      return "local";
    }

    @Override public boolean takesCatalog() {
      return catalog;
    }
  }

  private MirrorFile() {}

  public static List<Config> load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MirrorException(file.toString(), "cannot read the mirror file: " + e.getMessage());
    }
    return parse(text, file);
  }

  /** The whole mirror file: its mirrors and its top-level {@code trackers:} (empty when absent). */
  public record Contents(List<Config> mirrors, List<String> trackers) {}

  /** Reads the whole mirror file (see {@link Contents}). */
  public static Contents loadContents(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MirrorException(file.toString(), "cannot read the mirror file: " + e.getMessage());
    }
    JsonNode root = checked(text, file);
    return new Contents(parse(text, file), strings(root.path("trackers")));
  }

  private static JsonNode checked(String yaml, Path file) {
    String where = file == null ? "mirror file" : file.toString();
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new MirrorException(where, Recipes.yamlError(e));
    }
    if (root == null || root.isMissingNode() || root.isNull()) throw new MirrorException(where, "empty mirror file: expected `mirrors:` and a list");
    List<String> problems = SCHEMA.validate(root);
    if (!problems.isEmpty()) throw new MirrorException(where, problems);
    return root;
  }

  /** Parses mirror-file text; {@code file} names it in messages and anchors relative paths. */
  public static List<Config> parse(String yaml, Path file) {
    String where = file == null ? "mirror file" : file.toString();
    JsonNode root = checked(yaml, file);
    List<String> problems = new ArrayList<>();
    Path base = file == null ? Path.of("") : file.toAbsolutePath().getParent();
    List<Config> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int i = 0;
    for (JsonNode m : root.get("mirrors")) {
      String id = m.get("id").asText();
      if (!ids.add(id)) problems.add("mirrors[" + i + "].id: \"" + id + "\" is used twice; every mirror needs its own id");
      out.add(switch (m.get("type").asText()) {
        case "s3" -> new S3(id, uri(m, "endpoint", null), text(m, "region", "auto"), m.get("bucket").asText(),
            text(m, "prefix", ""), m.path("path_style").asBoolean(true), text(m, "public_url", null),
            text(m, "access_key_env", null), text(m, "secret_key_env", null),
            m.has("credentials_file") ? base.resolve(m.get("credentials_file").asText()) : null, text(m, "profile", "default"),
            m.path("part_size_mib").asInt(16), m.path("concurrency").asInt(4), m.path("catalog").asBoolean(false));
        case "zenodo" -> new Zenodo(id, uri(m, "url", null), m.get("token_env").asText(), text(m, "community", null),
            strings(m.path("creators")));
        case "internet-archive" -> new Archive(id, uri(m, "endpoint", "https://s3.us.archive.org"),
            uri(m, "archive_url", "https://archive.org"), text(m, "item_prefix", ""),
            text(m, "collection", null), m.get("access_key_env").asText(), m.get("secret_key_env").asText());
        case "local" -> new Local(id, base.resolve(m.get("path").asText()).normalize(), text(m, "public_url", null),
            m.path("catalog").asBoolean(false));
        default -> throw new IllegalStateException("the schema admits only the four types");
      });
      i++;
    }
    if (!problems.isEmpty()) throw new MirrorException(where, problems);
    return List.copyOf(out);
  }

  /** The mirrors whose ids are in {@code only} (all when empty); an unknown id is an error naming the known ones. */
  public static List<Config> select(List<Config> all, List<String> only, Path file) {
    if (only == null || only.isEmpty()) return all;
    List<String> known = all.stream().map(Config::id).toList();
    List<String> unknown = only.stream().filter(o -> !known.contains(o)).toList();
    if (!unknown.isEmpty()) {
      throw new MirrorException(String.valueOf(file), "--only " + String.join(",", unknown) + ": no such mirror (the file has "
          + String.join(", ", known) + ")");
    }
    return all.stream().filter(c -> only.contains(c.id())).toList();
  }

  private static String text(JsonNode m, String field, String dflt) {
    JsonNode v = m.get(field);
    return v == null || v.isNull() ? dflt : v.asText();
  }

  private static URI uri(JsonNode m, String field, String dflt) {
    String v = text(m, field, dflt);
    return v == null ? null : URI.create(v);
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(v -> out.add(v.asText()));
    return List.copyOf(out);
  }
}
