package org.d4c.manifests.bundle;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.EnvironmentDigest;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.manifests.sources.SourceCache;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source bundles of a build made in a throwaway git repository: same bytes twice, the documented layout, refusals
 * (dirty or unknown code, a commit the repository lacks, environment files that are not the commit's), and an
 * unpacker that refuses entries escaping its folder and code that is not the commit's tree.
 */
class SourceBundleTest {
  static final String ROOT = "ca-provinces-1.0.0-source/";
  static final String LONG = "src/" + "deeply/".repeat(20) + "Nested.java"; // > 100 bytes: ustar prefix
  static final String VERY_LONG = "docs/" + "x".repeat(120) + "/" + "y".repeat(120) + ".md"; // > 256: PAX path

  @TempDir Path tmp;
  Path repo;
  Path outside;
  RevCommit commit;

  @BeforeEach
  void repository() throws Exception {
    repo = Files.createDirectories(tmp.resolve("repo"));
    write("d4c", "#!/bin/sh\necho d4c\n");
    Files.setPosixFilePermissions(repo.resolve("d4c"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write("environments/tool.sh", "#!/bin/sh\necho tool\n");
    write("environments/versions.lock", "gdal=3.6.2\n");
    write("pipelines/recipes/ca/data/in-tree.gpkg", "in-tree source bytes");
    write("pipelines/recipes/ca/recipe.yaml", "# the recipe\n");
    write(LONG, "class Nested {}\n");
    write(VERY_LONG, "long\n");
    write("docs/Québec.md", "Québec\n");
    Files.createSymbolicLink(repo.resolve("launcher"), Path.of("d4c"));
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      PersonIdent who = new PersonIdent("d4c tests", "tests@d4c.invalid", 946684800000L, 0);
      commit = git.commit().setMessage("the code").setAuthor(who).setCommitter(who).setSign(false).call();
    }
    outside = Files.writeString(Files.createDirectories(tmp.resolve("elsewhere")).resolve("outside.gpkg"),
        "outside source bytes");
  }

  private void write(String path, String text) throws IOException {
    Path p = repo.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  /** A build folder whose manifest names {@code code} and the environment digest given. */
  Path build(String name, CodeVersion code, Map<String, String> definitions) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Recipe recipe = Recipes.parse("""
        dataset: ca-provinces
        version: 1.0.0
        title: Provinces
        license: CC0-1.0
        sources:
          - id: intree
            urls: [data/in-tree.gpkg]
            sha256: %s
            size: %d
          - id: outside
            urls: ["%s"]
            sha256: %s
            size: %d
          - id: remote
            urls: ["https://example.org/remote.gpkg"]
            sha256: %s
            size: 1
        outputs:
          - name: provinces
            source: intree
        """.formatted(Hashing.sha256(repo.resolve("pipelines/recipes/ca/data/in-tree.gpkg")),
        Files.size(repo.resolve("pipelines/recipes/ca/data/in-tree.gpkg")), outside.toUri(), Hashing.sha256(outside),
        Files.size(outside), "ab".repeat(32)), repo.resolve("pipelines/recipes/ca/recipe.yaml"));
    Path data = Files.writeString(dir.resolve("provinces.parquet"), "PAR1 fake");
    Manifest m = Manifest.of(recipe, "pipelines/recipes/ca/recipe.yaml", code,
        new Manifest.Environment(definitions, Map.of("java", "17")), Map.of("runner", "direct"),
        List.of(Manifest.OutputFile.of(dir, data, 13, Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA)),
        Manifest.Rejects.NONE);
    Manifests.write(dir, m);
    return dir;
  }

  Path cleanBuild() throws Exception {
    return build("build", new CodeVersion(commit.name(), false, null),
        EnvironmentDigest.of(repo.resolve("environments"), repo));
  }

  SourceBundle.Result bundle(Path build, String out) {
    return SourceBundle.of(build).repository(repo).sourceCache(tmp.resolve("no-cache")).writeTo(tmp.resolve(out));
  }

  @Test
  void sameBytesWhenRebuiltElsewhereLater() throws Exception {
    Path build = cleanBuild();
    SourceBundle.Result first = bundle(build, "out1");
    TimeUnit.MILLISECONDS.sleep(1100); // a wall-clock second passes: no mtime may follow it
    TimeZone zone = TimeZone.getDefault();
    String user = System.getProperty("user.name");
    try {
      TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
      System.setProperty("user.name", "somebody-else");
      SourceBundle.Result second = bundle(build, "out2");
      assertThat(second.name(), equalTo("ca-provinces-1.0.0-source.tar.gz"));
      assertThat(second.sha256(), equalTo(first.sha256()));
      assertThat(Files.readAllBytes(second.file()), equalTo(Files.readAllBytes(first.file())));
      assertThat(second.size(), equalTo(Files.size(first.file())));
      assertThat(second.sha256(), equalTo(Hashing.sha256(first.file())));
    } finally {
      TimeZone.setDefault(zone);
      System.setProperty("user.name", user);
    }
    try (var files = Files.list(tmp.resolve("out1"))) {
      assertThat("no temporary file left", files.map(p -> p.getFileName().toString()).toList(),
          equalTo(List.of("ca-provinces-1.0.0-source.tar.gz")));
    }
  }

  @Test
  void entriesUnderOneRootWithTheCommitTimeAndNoOwner() throws Exception {
    SourceBundle.Result r = bundle(cleanBuild(), "out");
    Map<String, TarArchiveEntry> entries = entries(r.file());
    assertThat(new ArrayList<>(entries.keySet()).get(0), equalTo(ROOT));
    assertThat(entries.keySet(), everyItem(startsWith(ROOT)));
    assertThat(entries.keySet(), hasItems(ROOT + "d4c", ROOT + "environments/tool.sh",
        ROOT + "environments/versions.lock", ROOT + "pipelines/recipes/ca/recipe.yaml",
        ROOT + "pipelines/recipes/ca/data/in-tree.gpkg", ROOT + LONG, ROOT + VERY_LONG, ROOT + "docs/Québec.md",
        ROOT + "launcher", ROOT + "manifest.json", ROOT + "bundle.json", ROOT + "BUNDLE.md",
        ROOT + "bundle-sources/sha256/" + Hashing.sha256(outside).substring(0, 2) + "/" + Hashing.sha256(outside)));
    assertThat("the in-tree source comes with the code, not twice",
        entries.keySet().stream().filter(n -> n.contains("bundle-sources/") && !n.endsWith("/")).count(), is(1L));
    for (TarArchiveEntry e : entries.values()) {
      assertThat(e.getName(), e.getModTime().getTime(), equalTo(commit.getCommitTime() * 1000L));
      assertThat(e.getName(), e.getLongUserId(), is(0L));
      assertThat(e.getName(), e.getLongGroupId(), is(0L));
      assertThat(e.getName(), e.getUserName(), equalTo(""));
      assertThat(e.getName(), e.getGroupName(), equalTo(""));
    }
    assertThat(entries.get(ROOT + "d4c").getMode() & 0777, is(0755));
    assertThat(entries.get(ROOT + "environments/versions.lock").getMode() & 0777, is(0644));
    assertThat(entries.get(ROOT + "launcher").isSymbolicLink(), is(true));
    assertThat(entries.get(ROOT + "launcher").getLinkName(), equalTo("d4c"));

    BundleReader.Contents c = BundleReader.withDefaultLimits().read(r.file());
    assertThat(c.info().commit(), equalTo(commit.name()));
    assertThat(c.info().tree(), equalTo(commit.getTree().name()));
    assertThat(c.info().recipeInRepository(), is(true));
    assertThat(c.info().sources().size(), is(1));
    assertThat(c.info().sources().get(0).id(), equalTo("outside"));
    assertThat(c.manifest(), equalTo(Files.readAllBytes(tmp.resolve("build/manifest.json"))));
    // The manifest names its file: source by URL (its own business); nothing the bundle adds names this machine.
    String bytes = new String(gunzip(r.file()), StandardCharsets.ISO_8859_1)
        .replace(new String(c.manifest(), StandardCharsets.ISO_8859_1), "");
    assertThat("no absolute path of this machine", bytes.contains(tmp.toString()), is(false));
    assertThat("no user name", bytes.contains("ustar\0" + System.getProperty("user.name")), is(false));

    // GNU tar, an independent reader, sees the same names.
    Process p = new ProcessBuilder("tar", "tzf", r.file().toString()).redirectErrorStream(true).start();
    String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(listing, p.waitFor(), is(0));
    List<String> gnu = listing.lines().toList();
    assertThat(gnu, equalTo(new ArrayList<>(entries.keySet())));
  }

  @Test
  void unpacksTheCommitsTreeAndReusesIt() throws Exception {
    SourceBundle.Result r = bundle(cleanBuild(), "out");
    Path bundles = tmp.resolve("bundles");
    BundleReader.Unpacked u = BundleReader.withDefaultLimits().unpack(r.file(), bundles);
    assertThat(u.dir(), equalTo(bundles.resolve(commit.name())));
    assertThat(u.reused(), is(false));
    assertThat(Files.readString(u.dir().resolve(LONG)), equalTo("class Nested {}\n"));
    assertThat(Files.readString(u.dir().resolve(VERY_LONG)), equalTo("long\n"));
    assertThat(Files.readString(u.dir().resolve("docs/Québec.md")), equalTo("Québec\n"));
    assertThat(Files.isExecutable(u.dir().resolve("d4c")), is(true));
    assertThat(Files.readSymbolicLink(u.dir().resolve("launcher")), equalTo(Path.of("d4c")));
    assertThat(CodeVersion.detect(u.dir().resolve("environments")), equalTo(new CodeVersion(commit.name(), false, null)));
    assertThat(CodeVersion.repoRoot(u.dir().resolve("environments")).orElseThrow(), equalTo(u.dir()));
    assertThat(EnvironmentDigest.of(u.dir().resolve("environments"), u.dir()),
        equalTo(EnvironmentDigest.of(repo.resolve("environments"), repo)));
    try (var names = Files.list(bundles)) {
      assertThat(names.map(p -> p.getFileName().toString()).toList(), equalTo(List.of(commit.name())));
    }
    assertThat(BundleReader.withDefaultLimits().unpack(r.file(), bundles).reused(), is(true));
  }

  @Test
  void aDirtyBuildIsRefused() throws Exception {
    Path build = build("dirty", new CodeVersion(commit.name(), true, null),
        EnvironmentDigest.of(repo.resolve("environments"), repo));
    BundleException e = assertThrows(BundleException.class, () -> bundle(build, "out"));
    assertThat(e.getMessage(), containsString("built from uncommitted changes: commit them and build again; a"
        + " release's code must be a commit"));
    assertThat(e.getMessage(), containsString("resolved_dependencies.code.dirty"));
    assertThat(Files.exists(tmp.resolve("out")), is(false));
  }

  @Test
  void anUnknownOrMissingCommitIsRefused() throws Exception {
    Path unknown = build("unknown", new CodeVersion(CodeVersion.UNKNOWN, true, null), Map.of());
    assertThat(assertThrows(BundleException.class, () -> bundle(unknown, "out")).getMessage(),
        containsString("resolved_dependencies.code.commit is \"unknown\""));
    Path missing = build("missing", new CodeVersion("0123456789abcdef0123456789abcdef01234567", false, null),
        EnvironmentDigest.of(repo.resolve("environments"), repo));
    BundleException e = assertThrows(BundleException.class, () -> bundle(missing, "out"));
    assertThat(e.getMessage(), containsString("0123456789abcdef0123456789abcdef01234567 is not a commit of the"
        + " repository at " + repo));
  }

  @Test
  void environmentFilesThatAreNotTheCommitsAreRefused() throws Exception {
    Map<String, String> defs = new java.util.TreeMap<>(EnvironmentDigest.of(repo.resolve("environments"), repo));
    defs.put("environments/versions.lock", "00".repeat(32));
    defs.put("environments/ignored.local", "11".repeat(32));
    Path build = build("env", new CodeVersion(commit.name(), false, null), defs);
    BundleException e = assertThrows(BundleException.class, () -> bundle(build, "out"));
    assertThat(e.getMessage(), containsString("environment.definitions do not match environments/ at commit "
        + commit.name() + " (environments/ignored.local is not in the commit; environments/versions.lock differs)"));
  }

  @Test
  void aRecipeOutsideTheRepositoryAndItsLocalSourcesComeAlong() throws Exception {
    Path build = cleanBuild();
    // Same manifest, but the recipe path says it was outside the repository (only a file name).
    Path m = build.resolve("manifest.json");
    Files.writeString(m, Files.readString(m).replace("\"pipelines/recipes/ca/recipe.yaml\"", "\"recipe.yaml\""));
    Path inTree = repo.resolve("pipelines/recipes/ca/data/in-tree.gpkg");
    Path cached = new SourceCache(tmp.resolve("cache")).pathFor(Hashing.sha256(inTree));
    Files.createDirectories(cached.getParent());
    Files.copy(inTree, cached);
    SourceBundle.Result r = SourceBundle.of(build).repository(repo).sourceCache(tmp.resolve("cache"))
        .writeTo(tmp.resolve("out"));
    Map<String, TarArchiveEntry> entries = entries(r.file());
    assertThat(entries.keySet(), hasItem(ROOT + "recipe.yaml"));
    assertThat("the in-tree gpkg is no longer reachable from the recipe: carried by hash",
        entries.keySet().stream().filter(n -> n.startsWith(ROOT + "bundle-sources/sha256/") && n.length()
            > (ROOT + "bundle-sources/sha256/xx/").length()).count(), is(2L));
    BundleReader.Unpacked u = BundleReader.withDefaultLimits().unpack(r.file(), tmp.resolve("bundles"));
    Recipe back = Recipes.load(u.dir().resolve("recipe.yaml"));
    assertThat(back.dataset(), equalTo("ca-provinces"));
    assertThat(back.sources().size(), is(3));
  }

  // ------------------------------------------------------------------------------------------------------------
  // The unpacker against crafted archives

  @Test
  void entriesEscapingTheFolderAreRefused() throws Exception {
    SourceBundle.Result good = bundle(cleanBuild(), "out");
    for (String[] bad : List.of(
        new String[] {"file", ROOT + "../x"},
        new String[] {"file", ROOT + "a/../../x"},
        new String[] {"file", "/tmp/x"},
        new String[] {"file", "other-root/x"},
        new String[] {"link", ROOT + "evil", "../../../etc"},
        new String[] {"link", ROOT + "abs", "/etc"})) {
      Path crafted = tmp.resolve("crafted-" + Math.abs(String.join("|", bad).hashCode()) + ".tar.gz");
      rewrite(good.file(), crafted, (tar) -> {
        TarArchiveEntry e = bad[0].equals("link") ? new TarArchiveEntry(bad[1], TarArchiveEntry.LF_SYMLINK)
            : new TarArchiveEntry(bad[1], true);
        byte[] content = "pwned".getBytes(StandardCharsets.UTF_8);
        if (bad[0].equals("link")) e.setLinkName(bad[2]);
        else e.setSize(content.length);
        tar.putArchiveEntry(e);
        if (!bad[0].equals("link")) tar.write(content);
        tar.closeArchiveEntry();
      }, null);
      Path bundles = tmp.resolve("bundles-" + crafted.getFileName());
      BundleException e = assertThrows(BundleException.class,
          () -> BundleReader.withDefaultLimits().unpack(crafted, bundles), String.join(" ", bad));
      assertThat(e.getMessage(), containsString("refused entry \"" + bad[1] + "\""));
      try (var left = Files.list(bundles)) {
        assertThat("nothing left behind for " + bad[1], left.toList(), empty());
      }
    }
    assertThat(Files.exists(tmp.resolve("x")), is(false));
  }

  @Test
  void sizeAndEntryLimitsHold() throws Exception {
    SourceBundle.Result good = bundle(cleanBuild(), "out");
    assertThat(assertThrows(BundleException.class, () -> BundleReader.withLimits(10, 1000)
        .unpack(good.file(), tmp.resolve("b1"))).getMessage(), containsString("more than 10 bytes unpacked"));
    assertThat(assertThrows(BundleException.class, () -> BundleReader.withLimits(1 << 20, 5)
        .unpack(good.file(), tmp.resolve("b2"))).getMessage(), containsString("more than 5 entries"));
  }

  @Test
  void codeThatIsNotTheCommitsTreeIsRefused() throws Exception {
    SourceBundle.Result good = bundle(cleanBuild(), "out");
    Path tampered = tmp.resolve("tampered.tar.gz");
    rewrite(good.file(), tampered, tar -> { }, ROOT + "environments/tool.sh");
    BundleException e = assertThrows(BundleException.class,
        () -> BundleReader.withDefaultLimits().unpack(tampered, tmp.resolve("bundles")));
    assertThat(e.getMessage(), containsString("the code in the bundle is not commit " + commit.name()));
    try (var left = Files.list(tmp.resolve("bundles"))) {
      assertThat(left.toList(), empty());
    }
  }

  @Test
  void aFileThatIsNoBundleIsNamed() throws Exception {
    Path notGz = Files.writeString(tmp.resolve("manifest.tar.gz"), "{}");
    assertThat(assertThrows(BundleException.class, () -> BundleReader.withDefaultLimits().read(notGz)).getMessage(),
        containsString(notGz + ": not a readable source bundle"));
  }

  // ------------------------------------------------------------------------------------------------------------

  interface TarAction {
    void accept(TarArchiveOutputStream tar) throws IOException;
  }

  /** Copies a bundle entry by entry, then lets {@code extra} add entries; {@code changed} gets one byte appended. */
  static void rewrite(Path from, Path to, TarAction extra, String changed) throws IOException {
    try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(to));
        TarArchiveOutputStream out = new TarArchiveOutputStream(os);
        TarArchiveInputStream in = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(from)))) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        for (int n; (n = in.read(b)) > 0; ) buf.write(b, 0, n);
        byte[] content = buf.toByteArray();
        if (e.getName().equals(changed)) {
          content = (new String(content, StandardCharsets.UTF_8) + "#").getBytes(StandardCharsets.UTF_8);
          TarArchiveEntry copy = new TarArchiveEntry(e.getName());
          copy.setMode(e.getMode());
          copy.setModTime(e.getModTime());
          copy.setSize(content.length);
          e = copy; // the reader skips by the original entry's size: never change it
        }
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
      }
      extra.accept(out);
    }
  }

  static Map<String, TarArchiveEntry> entries(Path bundle) throws IOException {
    Map<String, TarArchiveEntry> out = new LinkedHashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(bundle));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) out.put(e.getName(), e);
    }
    return out;
  }

  static byte[] gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    }
  }
}
