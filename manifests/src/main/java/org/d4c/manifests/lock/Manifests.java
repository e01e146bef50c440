package org.d4c.manifests.lock;

import org.d4c.core.io.FilePaths;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.json.SchemaCheck;

/** Reads and writes {@code manifest.json} as canonical JSON, checked against manifest.schema.json both ways. */
public final class Manifests {
  public static final String FILE_NAME = "manifest.json";
  private static final SchemaCheck SCHEMA = SchemaCheck.fromResource(Manifests.class, "manifest.schema.json");

  private Manifests() {}

  /** Writes {@code dir/manifest.json} atomically and returns its path. */
  public static Path write(Path dir, Manifest manifest) {
    Path file = dir.resolve(FILE_NAME);
    JsonNode tree = CanonicalJson.toTree(manifest);
    List<String> problems = SCHEMA.validate(tree);
    if (!problems.isEmpty()) throw new ManifestException(file, problems); // a bug in the caller: say what
    CanonicalJson.write(file, tree);
    return file;
  }

  public static Manifest read(Path file) {
    JsonNode tree;
    try {
      tree = CanonicalJson.mapper().readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ManifestException(file, List.of("no such file"));
    } catch (JsonProcessingException e) {
      throw new ManifestException(file, List.of("not JSON: " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ManifestException(file, List.of("cannot read: " + e.getMessage()));
    }
    if (tree == null || !tree.isObject()) throw new ManifestException(file, List.of("not a d4c manifest: expected a JSON object"));
    // A foreign JSON file gets one clear line rather than a dozen about missing fields.
    if (!tree.has("manifest_version") && !tree.has("build_type")) {
      throw new ManifestException(file, List.of("not a d4c manifest: no manifest_version or build_type"));
    }
    List<String> problems = new ArrayList<>(SCHEMA.validate(tree));
    if (!problems.isEmpty()) throw new ManifestException(file, problems);
    try {
      return CanonicalJson.mapper().treeToValue(tree, Manifest.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new ManifestException(file, List.of(msg));
    }
  }

  /**
   * How the manifest names its recipe: relative to the code repository root when inside it, else only the
   * file name, never an absolute path (it would differ between machines and leak a user name).
   */
  public static String recipePath(Path recipe, Path repoRoot) {
    Path r = FilePaths.real(recipe);
    if (repoRoot != null) {
      Path root = FilePaths.real(repoRoot);
      if (r.startsWith(root) && !r.equals(root)) return slashPath(root.relativize(r));
    }
    return r.getFileName().toString();
  }

  static String slashPath(Path relative) {
    return FilePaths.slash(relative);
  }


}
