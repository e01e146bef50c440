package org.d4c.publisher.zenodo;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.Manifest;

/**
 * The {@code metadata} object of a deposition, from the manifest and its embedded recipe. Deterministic: keys sorted
 * (the maps are sorted maps), keywords and related identifiers sorted, creators in recipe order (author order is
 * meaningful), no date (Zenodo sets {@code publication_date} itself when it publishes).
 *
 * <ul>
 *   <li>{@code creators}: the recipe's providers, in order, except those whose only role is {@code host}; else the
 *       configured default creators; else an error naming both places to fix.
 *   <li>{@code license}: the manifest's SPDX id lowercased ({@code CC-BY-4.0} → {@code cc-by-4.0}), Zenodo's license
 *       vocabulary; an SPDX expression ({@code A OR B}) is refused, Zenodo takes one license.
 *   <li>{@code related_identifiers}: every http(s)/ftp source URL {@code isDerivedFrom} (URLs that had credentials
 *       redacted out, and local paths, are not public identifiers and are left out); the code commit
 *       {@code isCompiledBy}, as {@code <repository>/tree/<commit>} for a GitHub repository, else the repository URL,
 *       with the commit in {@code notes}.
 * </ul>
 */
public final class ZenodoMetadata {
  private static final Pattern SCP_GIT = Pattern.compile("^[\\w.-]+@([\\w.-]+):(.+?)(\\.git)?/?$");

  private ZenodoMetadata() {}

  /** The metadata map; throws {@link ZenodoException} naming the field when the manifest cannot give one. */
  public static Map<String, Object> of(Manifest manifest, ZenodoConfig config) {
    JsonNode recipe = manifest.recipe();
    Map<String, Object> m = new TreeMap<>();
    m.put("upload_type", "dataset");
    m.put("access_right", "open");
    m.put("title", manifest.title());
    m.put("version", manifest.version());
    m.put("creators", creators(recipe, config));
    m.put("description", description(recipe, manifest));
    m.put("license", license(manifest.license()));
    TreeSet<String> keywords = new TreeSet<>();
    if (recipe != null && recipe.path("keywords").isArray()) recipe.path("keywords").forEach(k -> keywords.add(k.asText()));
    if (!keywords.isEmpty()) m.put("keywords", List.copyOf(keywords));
    if (config.community() != null) m.put("communities", List.of(Map.of("identifier", config.community())));
    List<Map<String, Object>> related = relatedIdentifiers(manifest);
    if (!related.isEmpty()) m.put("related_identifiers", related);
    m.put("notes", notes(manifest));
    return m;
  }

  static List<Map<String, Object>> creators(JsonNode recipe, ZenodoConfig config) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (recipe != null) {
      for (JsonNode p : recipe.path("providers")) {
        List<String> roles = new ArrayList<>();
        p.path("roles").forEach(r -> roles.add(r.asText()));
        if (!roles.isEmpty() && roles.stream().allMatch("host"::equals)) continue;
        String name = p.path("name").asText("").trim();
        if (!name.isEmpty()) out.add(new TreeMap<>(Map.of("name", name)));
      }
    }
    if (out.isEmpty()) {
      for (ZenodoCreator c : config.defaultCreators()) {
        Map<String, Object> one = new TreeMap<>();
        one.put("name", c.name());
        if (c.affiliation() != null) one.put("affiliation", c.affiliation());
        if (c.orcid() != null) one.put("orcid", c.orcid());
        out.add(one);
      }
    }
    if (out.isEmpty()) {
      throw new ZenodoException("Zenodo needs at least one creator: list the dataset's producer under providers: in the "
          + "recipe, or give the Zenodo mirror default creators");
    }
    return out;
  }

  static String description(JsonNode recipe, Manifest manifest) {
    String text = recipe == null ? "" : recipe.path("description").asText("").trim();
    if (text.isEmpty()) text = manifest.title();
    StringBuilder html = new StringBuilder();
    for (String para : text.split("\\n\\s*\\n")) {
      if (para.isBlank()) continue;
      html.append("<p>").append(escape(para.trim())).append("</p>");
    }
    return html.toString();
  }

  static String license(String spdx) {
    if (spdx == null || spdx.isBlank()) throw new ZenodoException("the manifest has no license; Zenodo needs one (recipe field license:)");
    String s = spdx.trim();
    if (!s.matches("[A-Za-z0-9][A-Za-z0-9.+-]*")) {
      throw new ZenodoException("license \"" + s + "\" is an SPDX expression; Zenodo takes a single license id: "
          + "publish under one license (recipe field license:)");
    }
    return s.toLowerCase(Locale.ROOT);
  }

  static List<Map<String, Object>> relatedIdentifiers(Manifest manifest) {
    TreeMap<String, Map<String, Object>> sorted = new TreeMap<>();
    Manifest.ResolvedDependencies deps = manifest.resolvedDependencies();
    if (deps != null) {
      for (Manifest.SourceDigest s : deps.sources()) {
        for (String url : s.urls()) {
          if (isPublicUrl(url)) add(sorted, "isDerivedFrom", url);
        }
      }
      CodeVersion code = deps.code();
      String codeUrl = code == null ? null : codeUrl(code);
      if (codeUrl != null) add(sorted, "isCompiledBy", codeUrl);
    }
    return List.copyOf(sorted.values());
  }

  private static void add(Map<String, Map<String, Object>> sorted, String relation, String identifier) {
    Map<String, Object> r = new TreeMap<>();
    r.put("identifier", identifier);
    r.put("relation", relation);
    sorted.put(relation + "\u0000" + identifier, r);
  }

  static boolean isPublicUrl(String url) {
    if (url == null || url.contains("***")) return false;
    try {
      URI u = URI.create(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https") || scheme.equals("ftp")) && u.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The public web URL of the code at its commit, or null when the repository is unknown. */
  static String codeUrl(CodeVersion code) {
    if (code.repository() == null || CodeVersion.UNKNOWN.equals(code.commit())) return null;
    String repo = code.repository().trim();
    Matcher scp = SCP_GIT.matcher(repo);
    if (scp.matches()) repo = "https://" + scp.group(1) + "/" + scp.group(2);
    if (repo.startsWith("git://") || repo.startsWith("ssh://")) {
      URI u = URI.create(repo);
      repo = "https://" + u.getHost() + u.getPath();
    }
    if (repo.endsWith("/")) repo = repo.substring(0, repo.length() - 1);
    if (repo.endsWith(".git")) repo = repo.substring(0, repo.length() - 4);
    if (!isPublicUrl(repo)) return null;
    URI u = URI.create(repo);
    if ("github.com".equalsIgnoreCase(u.getHost())) return repo + "/tree/" + code.commit();
    return repo;
  }

  static String notes(Manifest manifest) {
    StringBuilder s = new StringBuilder("Built by d4c: dataset ").append(escape(manifest.dataset()))
        .append(", version ").append(escape(manifest.version()));
    CodeVersion code = manifest.resolvedDependencies() == null ? null : manifest.resolvedDependencies().code();
    if (code != null) {
      s.append(", code commit ").append(code.commit());
      if (code.repository() != null) s.append(" of ").append(escape(code.repository()));
    }
    s.append(". manifest.json locks the sha256 of every source and output file.");
    return s.toString();
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
