package org.d4c.manifests.lock;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.d4c.core.io.Redact;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Which code built the output: the commit of HEAD, whether the work tree differs from it, and the
 * {@code origin} remote without credentials (null, and omitted from JSON, when there is none).
 *
 * <p>{@code dirty} is true when tracked files have uncommitted changes (staged or not) OR there are
 * untracked files that .gitignore does not exclude: a build may read such a file (a new environment
 * definition, a helper script, a recipe), so the commit alone would not rebuild it. Ignored files
 * (target/, caches, build outputs) do not count, so build output must live in ignored folders.
 * Outside a repository, or before the first commit, commit is "unknown" and dirty is true.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CodeVersion(String commit, boolean dirty, String repository) {
  public static final String UNKNOWN = "unknown";
  /**
   * At the root of a source bundle unpacked by d4c after its tree was checked against the commit: holds the commit.
   * Code there is that commit, clean, though no .git folder exists.
   */
  public static final String BUNDLE_MARKER = ".d4c-bundle-code";

  public CodeVersion {
    if (!UNKNOWN.equals(commit) && (commit == null || !commit.matches("[0-9a-f]{40}"))) {
      throw new IllegalArgumentException("commit must be 40 lowercase hex or \"unknown\", got " + commit);
    }
  }

  public static CodeVersion detect(Path anyPathInsideRepo) {
    Optional<Repository> found = open(anyPathInsideRepo);
    if (found.isEmpty()) {
      return bundleRoot(anyPathInsideRepo).flatMap(CodeVersion::bundleCommit)
          .map(c -> new CodeVersion(c, false, null)).orElse(new CodeVersion(UNKNOWN, true, null));
    }
    try (Repository repo = found.get(); Git git = new Git(repo)) {
      String remote = withoutCredentials(repo.getConfig().getString("remote", "origin", "url"));
      ObjectId head = repo.resolve(Constants.HEAD);
      if (head == null) return new CodeVersion(UNKNOWN, true, remote);
      boolean dirty = false;
      if (!repo.isBare()) {
        Status st = git.status().call();
        dirty = !st.isClean(); // isClean counts untracked-not-ignored files too: intended, see class doc
      }
      return new CodeVersion(head.name(), dirty, remote);
    } catch (IOException | GitAPIException e) {
      return new CodeVersion(UNKNOWN, true, null);
    }
  }

  /** The work tree root of the repository containing {@code path}, if any. */
  public static Optional<Path> repoRoot(Path path) {
    Optional<Repository> found = open(path);
    if (found.isEmpty()) return bundleRoot(path);
    return found.map(r -> {
      try (r) {
        return r.isBare() ? null : r.getWorkTree().toPath().toAbsolutePath().normalize();
      }
    });
  }

  /** The nearest folder at or above {@code path} holding {@link #BUNDLE_MARKER}. */
  private static Optional<Path> bundleRoot(Path path) {
    for (Path p = path.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (java.nio.file.Files.isRegularFile(p.resolve(BUNDLE_MARKER))) return Optional.of(p);
    }
    return Optional.empty();
  }

  private static Optional<String> bundleCommit(Path root) {
    try {
      String c = java.nio.file.Files.readString(root.resolve(BUNDLE_MARKER)).trim();
      return c.matches("[0-9a-f]{40}") ? Optional.of(c) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Repository> open(Path path) {
    File start = path.toAbsolutePath().normalize().toFile();
    if (!start.isDirectory()) start = start.getParentFile();
    FileRepositoryBuilder b = new FileRepositoryBuilder().findGitDir(start);
    if (b.getGitDir() == null) return Optional.empty();
    try {
      return Optional.of(b.setMustExist(true).build());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Drops {@code user:password@} from scheme URLs (scp-like {@code git@host:path} has no secret and is kept). */
  static String withoutCredentials(String url) {
    if (url == null || url.isBlank()) return null;
    // A clone of a local folder names a path on this machine: not something another machine can use, and a leak.
    boolean network = url.matches("^(https?|ssh|git)://.+") || url.matches("^[\\w.-]+@[\\w.-]+:.+");
    if (!network) return null;
    return Redact.url(url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1"));
  }
}
