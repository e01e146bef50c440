package org.d4c.manifests.lock;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.d4c.manifests.io.Redact;
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

  public CodeVersion {
    if (!UNKNOWN.equals(commit) && (commit == null || !commit.matches("[0-9a-f]{40}"))) {
      throw new IllegalArgumentException("commit must be 40 lowercase hex or \"unknown\", got " + commit);
    }
  }

  public static CodeVersion detect(Path anyPathInsideRepo) {
    Optional<Repository> found = open(anyPathInsideRepo);
    if (found.isEmpty()) return new CodeVersion(UNKNOWN, true, null);
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
    return open(path).map(r -> {
      try (r) {
        return r.isBare() ? null : r.getWorkTree().toPath().toAbsolutePath().normalize();
      }
    });
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
