package org.d4c.manifests.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.d4c.core.json.CanonicalJson;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.manifests.sources.SourceCache;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The source bundle of a build: one deterministic {@code <dataset>-<version>-source.tar.gz} holding, under a single
 * root folder {@code <dataset>-<version>-source/}, the whole code tree at the manifest's commit (so
 * {@code environments/} and a recipe kept in the repository come at that commit), {@code manifest.json},
 * {@code bundle.json} and {@code BUNDLE.md}; a recipe kept outside the repository and the local source files the
 * build read from neither the tree nor a URL come too. Rebuilding it gives the same bytes: entries in a fixed order,
 * every mtime the commit time, uid/gid 0 without names, a gzip header without time or host ({@link TarWriter}).
 *
 * <pre>
 *   SourceBundle.Result r = SourceBundle.of(buildDir).repository(repo).writeTo(outDir);
 * </pre>
 */
public final class SourceBundle {
  public static final String SOURCES_DIR = "bundle-sources";
  public static final String README = "BUNDLE.md";

  /** The bundle file, its sha256 and size, and its file name. */
  public record Result(Path file, String sha256, long size, String name) {}

  private final Path buildDir;
  private Path repository;
  private Path sourceCache;
  private Path recipeFile;

  private SourceBundle(Path buildDir) {
    this.buildDir = buildDir;
  }

  /** A bundle of the build in {@code buildDir} (which holds manifest.json). */
  public static SourceBundle of(Path buildDir) {
    return new SourceBundle(buildDir);
  }

  /** {@code of(buildDir).writeTo(outDir)} with the repository found from d4c home. */
  public static Result create(Path buildDir, Path outDir) {
    return of(buildDir).writeTo(outDir);
  }

  /**
   * The git repository (any folder inside its work tree, or the .git folder) that holds the manifest's commit.
   * Default: the system property {@code d4c.home}, else {@code D4C_HOME}, else the current folder.
   */
  public SourceBundle repository(Path dir) {
    this.repository = dir;
    return this;
  }

  /** The source cache to take local sources from (default {@link SourceCache#defaultRoot()}). */
  public SourceBundle sourceCache(Path root) {
    this.sourceCache = root;
    return this;
  }

  /**
   * The recipe file the build read, when it lives outside the repository: the bundle then carries it as written
   * (comments kept) if it still says what the manifest embeds; without it, the embedded recipe is written instead.
   * Its folder is also where relative local sources are looked for when they are not in the source cache.
   */
  public SourceBundle recipe(Path file) {
    this.recipeFile = file;
    return this;
  }

  /** Writes {@code outDir/<dataset>-<version>-source.tar.gz} atomically (replacing one there) and returns it. */
  public Result writeTo(Path outDir) {
    Path manifestFile = buildDir.resolve(Manifests.FILE_NAME);
    Manifest manifest = Manifests.read(manifestFile);
    CodeVersion code = manifest.resolvedDependencies().code();
    if (CodeVersion.UNKNOWN.equals(code.commit())) {
      throw new BundleException(manifestFile + ": resolved_dependencies.code.commit is \"unknown\": the build did"
          + " not run from a git checkout, so there is no commit to bundle; build again from a clean checkout");
    }
    if (code.dirty()) {
      throw new BundleException(manifestFile + ": resolved_dependencies.code.dirty is true: built from uncommitted"
          + " changes: commit them and build again; a release's code must be a commit");
    }
    String name = requireSafe(manifest.dataset(), "dataset", manifestFile) + "-"
        + requireSafe(manifest.version(), "version", manifestFile) + "-source";
    Path repoDir = repository != null ? repository : defaultRepository();
    try (Repository repo = openRepository(repoDir); RevWalk rw = new RevWalk(repo)) {
      RevCommit commit;
      try {
        commit = rw.parseCommit(ObjectId.fromString(code.commit()));
      } catch (MissingObjectException | IncorrectObjectTypeException e) {
        throw new BundleException(manifestFile + ": resolved_dependencies.code.commit " + code.commit()
            + " is not a commit of the repository at " + repoDir + ": fetch it (git fetch) or pass the repository"
            + " that has it");
      }
      byte[] manifestBytes = Files.readAllBytes(manifestFile);
      Plan plan = plan(repo, commit, manifest, manifestFile, name, manifestBytes);
      return write(repo, commit, plan, outDir.resolve(name + ".tar.gz"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the source bundle of " + buildDir + ": " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------------------------------------------------

  /** One code entry (path relative to the root folder, git mode, object) or one extra (path and bytes or file). */
  private record CodeEntry(String path, FileMode mode, ObjectId id) {}

  private record Extra(String path, byte[] bytes, Path file, long size) {}

  private record Plan(String name, List<CodeEntry> code, List<Extra> extras, BundleInfo info) {}

  private Plan plan(Repository repo, RevCommit commit, Manifest manifest, Path manifestFile, String name,
      byte[] manifestBytes) throws IOException {
    List<CodeEntry> code = new ArrayList<>();
    SortedMap<String, String> gitlinks = new TreeMap<>();
    SortedMap<String, String> environments = new TreeMap<>();
    try (TreeWalk tw = new TreeWalk(repo)) {
      tw.addTree(commit.getTree());
      tw.setRecursive(false);
      while (tw.next()) {
        FileMode mode = tw.getFileMode(0);
        String path = tw.getPathString();
        code.add(new CodeEntry(path, mode, tw.getObjectId(0)));
        if (tw.isSubtree()) {
          tw.enterSubtree();
        } else if (mode == FileMode.GITLINK) {
          gitlinks.put(path, tw.getObjectId(0).name());
        } else if (path.startsWith("environments/") && (mode == FileMode.REGULAR_FILE
            || mode == FileMode.EXECUTABLE_FILE)) {
          environments.put(path, Hashing.hex(digest(repo.open(tw.getObjectId(0)))));
        }
      }
    }
    checkEnvironments(manifest, manifestFile, environments, commit);

    List<Extra> extras = new ArrayList<>();
    extras.add(new Extra(Manifests.FILE_NAME, manifestBytes, null, manifestBytes.length));
    String recipePath = manifest.recipePath();
    boolean recipeInRepo = code.stream().anyMatch(e -> e.path().equals(recipePath) && !e.mode().equals(FileMode.TREE));
    if (!recipeInRepo) {
      extras.add(new Extra(recipePath, recipeBytes(manifest), null, -1));
    }
    List<BundleInfo.BundledSource> bundled = new ArrayList<>();
    String recipeDir = recipePath.contains("/") ? recipePath.substring(0, recipePath.lastIndexOf('/') + 1) : "";
    for (Manifest.SourceDigest s : manifest.resolvedDependencies().sources()) {
      List<String> local = s.urls().stream().filter(SourceBundle::isLocal).toList();
      if (local.isEmpty() || bundled.stream().anyMatch(b -> b.sha256().equals(s.sha256()))) continue;
      boolean inTree = recipeInRepo && local.stream().filter(u -> !u.startsWith("file:"))
          .map(u -> normalize(recipeDir + u)).anyMatch(p -> code.stream().anyMatch(e -> e.path().equals(p)));
      if (inTree) continue;
      Path file = localSource(s, manifestFile);
      String path = SOURCES_DIR + "/sha256/" + s.sha256().substring(0, 2) + "/" + s.sha256();
      extras.add(new Extra(path, null, file, s.size()));
      bundled.add(new BundleInfo.BundledSource(s.id(), s.sha256(), s.size(), path));
    }
    for (Extra x : extras) {
      String top = x.path().split("/")[0];
      if (code.stream().anyMatch(e -> e.path().equals(top))) {
        throw new BundleException("the code tree of commit " + commit.name() + " has a top-level " + top
            + ", which the bundle needs for its own " + x.path() + ": rename it in the repository");
      }
    }
    List<String> extraPaths = new ArrayList<>(extras.stream().map(Extra::path).toList());
    extraPaths.add(BundleInfo.FILE_NAME);
    extraPaths.add(README);
    extraPaths.sort(null);
    BundleInfo info = new BundleInfo(BundleInfo.VERSION, name, manifest.dataset(), manifest.version(),
        commit.name(), commit.getTree().name(), commit.getCommitTime(),
        Base64.getEncoder().encodeToString(commit.getRawBuffer()), recipePath, recipeInRepo, extraPaths, bundled,
        gitlinks, "./d4c reproduce manifest.json");
    extras.add(new Extra(BundleInfo.FILE_NAME, CanonicalJson.toBytes(info), null, -1));
    extras.add(new Extra(README, readme(info, manifest).getBytes(StandardCharsets.UTF_8), null, -1));
    extras.sort((a, b) -> a.path().compareTo(b.path()));
    return new Plan(name, code, extras, info);
  }

  private static void checkEnvironments(Manifest manifest, Path manifestFile, SortedMap<String, String> atCommit,
      RevCommit commit) {
    Map<String, String> recorded = manifest.resolvedDependencies().environment().definitions();
    if (recorded.equals(atCommit)) return;
    List<String> problems = new ArrayList<>();
    for (String f : new java.util.TreeSet<>(recorded.keySet())) {
      if (!atCommit.containsKey(f)) problems.add(f + " is not in the commit");
      else if (!Objects.equals(recorded.get(f), atCommit.get(f))) problems.add(f + " differs");
    }
    atCommit.keySet().stream().filter(f -> !recorded.containsKey(f)).forEach(f -> problems.add(f + " is not recorded"));
    throw new BundleException(manifestFile + ": resolved_dependencies.environment.definitions do not match"
        + " environments/ at commit " + commit.name() + " (" + String.join("; ", problems) + "): the build read"
        + " environment files that are not the commit's (ignored or untracked files?); build again from a clean"
        + " checkout of the commit");
  }

  private byte[] recipeBytes(Manifest manifest) {
    if (recipeFile != null) {
      Recipe r = Recipes.load(recipeFile);
      if (CanonicalJson.toTree(r.toCanonicalJson()).equals(manifest.recipe())) {
        try {
          return Files.readAllBytes(recipeFile);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      throw new BundleException(recipeFile + " is not the recipe the manifest embeds (it changed after the"
          + " build): pass the recipe as built, or none to bundle the manifest's copy");
    }
    // JSON is YAML: the manifest's own copy of the recipe, loadable as it is.
    return (CanonicalJson.toString(manifest.recipe()) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private Path localSource(Manifest.SourceDigest s, Path manifestFile) {
    SourceCache cache = new SourceCache(sourceCache != null ? sourceCache : SourceCache.defaultRoot());
    Optional<Path> hit = cache.find(s.sha256(), s.size());
    List<Path> candidates = new ArrayList<>();
    hit.ifPresent(candidates::add);
    for (String u : s.urls()) {
      if (u.startsWith("file:")) candidates.add(Path.of(URI.create(u)));
      else if (isLocal(u) && recipeFile != null) candidates.add(recipeFile.toAbsolutePath().getParent().resolve(u));
      else if (isLocal(u) && Path.of(u).isAbsolute()) candidates.add(Path.of(u));
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p) && Hashing.sha256(p).equals(s.sha256())) return p;
    }
    throw new BundleException(manifestFile + ": source " + s.id() + " (sha256 " + s.sha256() + ") is a local file"
        + " outside the repository and was found neither in the source cache " + cache.root() + " nor at " + s.urls()
        + ": build again (it fills the cache) or pass the recipe file so its folder can be searched");
  }

  private static boolean isLocal(String url) {
    if (url.startsWith("file:")) return true;
    return !url.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*");
  }

  private static String normalize(String path) {
    Deque parts = new Deque();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) continue;
      if (p.equals("..")) parts.pop();
      else parts.push(p);
    }
    return parts.join();
  }

  private static final class Deque {
    private final List<String> items = new ArrayList<>();

    void push(String s) {
      items.add(s);
    }

    void pop() {
      if (!items.isEmpty()) items.remove(items.size() - 1);
    }

    String join() {
      return String.join("/", items);
    }
  }

  private static Result write(Repository repo, RevCommit commit, Plan plan, Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    org.d4c.core.io.AtomicFiles.createPublicDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    long mtime = commit.getCommitTime();
    String root = plan.name() + "/";
    try {
      try (OutputStream os = Files.newOutputStream(tmp); TarWriter tar = new TarWriter(os)) {
        tar.directory(root, mtime);
        for (CodeEntry e : plan.code()) {
          String p = root + e.path();
          if (e.mode() == FileMode.TREE || e.mode() == FileMode.GITLINK) {
            tar.directory(p, mtime);
          } else if (e.mode() == FileMode.SYMLINK) {
            tar.symlink(p, new String(repo.open(e.id()).getBytes(), StandardCharsets.UTF_8), mtime);
          } else {
            ObjectLoader loader = repo.open(e.id());
            int mode = e.mode() == FileMode.EXECUTABLE_FILE ? 0755 : 0644;
            try (InputStream in = loader.openStream()) {
              tar.file(p, mode, mtime, loader.getSize(), in);
            }
          }
        }
        List<String> dirs = new ArrayList<>();
        for (Extra x : plan.extras()) {
          String[] parts = x.path().split("/");
          StringBuilder d = new StringBuilder();
          for (int i = 0; i < parts.length - 1; i++) {
            d.append(parts[i]).append('/');
            if (!dirs.contains(d.toString())) {
              dirs.add(d.toString());
              tar.directory(root + d, mtime);
            }
          }
          if (x.bytes() != null) {
            tar.file(root + x.path(), 0644, mtime, x.bytes());
          } else {
            try (InputStream in = Files.newInputStream(x.file())) {
              tar.file(root + x.path(), 0644, mtime, Files.size(x.file()), in);
            }
          }
        }
      }
      if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(tmp, org.d4c.core.io.AtomicFiles.PUBLIC); // published as it is: 0644 whatever the umask
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new Result(target, Hashing.sha256(target), Files.size(target), target.getFileName().toString());
  }

  private static String readme(BundleInfo info, Manifest manifest) {
    return "# " + info.name() + "\n\n"
        + "The source bundle of " + info.dataset() + " " + info.version() + (manifest.title() == null ? ""
            : " (" + manifest.title() + ")") + ": everything needed to rebuild it and check its bytes.\n\n"
        + "- the d4c code at commit `" + info.commit() + "` (tree `" + info.tree() + "`), every file of the commit\n"
        + "- `manifest.json`: the lock of the build (source sha256s, code commit, environment, output hashes)\n"
        + "- the recipe: `" + info.recipePath() + "`" + (info.recipeInRepository() ? " (in the code tree)" : "") + "\n"
        + (info.sources().isEmpty() ? "" : "- `" + SOURCES_DIR + "/`: local source files, named by sha256\n")
        + "- `bundle.json`: this list as data, with the raw commit object that proves the tree\n\n"
        + "Sources at URLs are not included: they are fetched again and checked against their sha256.\n\n"
        + "## Reproduce\n\n"
        + "```\n"
        + "./d4c reproduce " + info.name() + ".tar.gz          # from any d4c checkout\n"
        + "tar xzf " + info.name() + ".tar.gz && cd " + info.name() + " && ./d4c reproduce manifest.json\n"
        + "```\n\n"
        + "Reproduce rebuilds every output and compares its bytes with the manifest; exit 0 means bit-identical.\n";
  }

  // ------------------------------------------------------------------------------------------------------------

  private static Path defaultRepository() {
    String home = System.getProperty("d4c.home", System.getenv().getOrDefault("D4C_HOME", "."));
    return Path.of(home);
  }

  private static Repository openRepository(Path dir) throws IOException {
    FileRepositoryBuilder b = new FileRepositoryBuilder().findGitDir(dir.toAbsolutePath().normalize().toFile());
    if (b.getGitDir() == null) {
      throw new BundleException(dir.toAbsolutePath().normalize() + " is not inside a git repository: pass the"
          + " repository that holds the build's commit");
    }
    return b.setMustExist(true).build();
  }

  private static String requireSafe(String value, String field, Path manifestFile) {
    if (value == null || !value.matches("[A-Za-z0-9][A-Za-z0-9._+-]*")) {
      throw new BundleException(manifestFile + ": " + field + " \"" + value + "\" cannot name a file");
    }
    return value;
  }

  private static byte[] digest(ObjectLoader loader) throws IOException {
    MessageDigest md = Hashing.newSha256();
    try (InputStream in = loader.openStream()) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    }
    return md.digest();
  }
}
