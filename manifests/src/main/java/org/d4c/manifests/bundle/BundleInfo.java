package org.d4c.manifests.bundle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code bundle.json}, at the root of a source bundle: what it holds. {@code commitObject} is the raw git commit
 * object (base64): its sha1 is {@code commit} and it names {@code tree}, so an unpacker can prove that the code it
 * unpacked is exactly that commit's tree without the repository. {@code extras} are the bundle's own files (not
 * part of the code tree); {@code gitlinks} the submodule commits the tree records (their code is not included).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BundleInfo(
    @JsonProperty("bundle_version") int bundleVersion,
    String name,
    String dataset,
    String version,
    String commit,
    String tree,
    @JsonProperty("commit_time") long commitTime,
    @JsonProperty("commit_object") String commitObject,
    @JsonProperty("recipe_path") String recipePath,
    @JsonProperty("recipe_in_repository") boolean recipeInRepository,
    List<String> extras,
    List<BundledSource> sources,
    Map<String, String> gitlinks,
    String reproduce) {

  public static final int VERSION = 1;
  public static final String FILE_NAME = "bundle.json";

  public BundleInfo {
    extras = List.copyOf(extras);
    sources = List.copyOf(sources);
    gitlinks = gitlinks == null ? Map.of() : Map.copyOf(gitlinks);
  }

  /** A local source file carried in the bundle (it is neither in the code tree nor at a URL). */
  public record BundledSource(String id, String sha256, long size, String path) {}
}
