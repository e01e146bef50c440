package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.d4c.manifests.bundle.BundleReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code d4c publish} and {@code d4c verify} from the command line, with a folder mirror: a build of a committed
 * checkout, its real source bundle, the plan of a dry run, a bad mirror file, and a changed byte found by verify.
 */
class PublishCliIT {
  @TempDir static Path tmp;
  static Path build;
  static Path mirrors;

  @BeforeAll
  static void buildIt() throws Exception {
    Fixtures.useStableHome();
    Path home = Fixtures.HOME;
    build = tmp.resolve("out/ca-provinces");
    Fixtures.Run r = d4c("build", home.resolve("pipelines/recipes/ca-provinces/recipe.yaml").toString(), "--out", build.toString(),
        "--cache", tmp.resolve("cache").toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    mirrors = Files.writeString(tmp.resolve("mirrors.yaml"), """
        mirrors:
          - id: folder
            type: local
            path: mirror
            public_url: http://127.0.0.1:8750/
        """);
  }

  @AfterAll
  static void restoreHome() {
    Fixtures.restoreHome();
  }

  @Test
  void publishesWithARealSourceBundleAndVerifyFindsAChangedByte() throws Exception {
    Fixtures.Run dry = d4c("publish", build.toString(), "--mirrors", mirrors.toString(), "--dry-run");
    assertThat(dry.toString(), dry.exitCode(), is(0));
    assertThat(dry.out(), containsString("ca-provinces-1.0.0-source.tar.gz"));
    assertThat(dry.out(), containsString("-> folder (local): http://127.0.0.1:8750/ca-provinces-1.0.0/"));
    assertThat(Files.exists(tmp.resolve("mirror")), is(false));

    Path catalog = tmp.resolve("out/catalog");
    Fixtures.Run pub = d4c("publish", build.toString(), "--mirrors", mirrors.toString(), "--catalog", catalog.toString());
    assertThat(pub.toString(), pub.exitCode(), is(0));
    assertThat(pub.out(), containsString("Every file uploaded or already there was checked back by its sha256."));
    Path published = tmp.resolve("mirror/ca-provinces-1.0.0");
    for (String f : new String[] {"provinces.parquet", "manifest.json", "ca-provinces-1.0.0-source.tar.gz", "ca-provinces-1.0.0.torrent"}) {
      assertThat(f, Files.isRegularFile(published.resolve(f)), is(true));
    }
    // The bundle is a real one: its manifest is the build's.
    var contents = BundleReader.withDefaultLimits().read(published.resolve("ca-provinces-1.0.0-source.tar.gz"));
    assertThat(contents.manifest(), is(Files.readAllBytes(build.resolve("manifest.json"))));

    Fixtures.Run again = d4c("publish", build.toString(), "--mirrors", mirrors.toString(), "--catalog", catalog.toString());
    assertThat(again.toString(), again.exitCode(), is(0));
    assertThat(again.out(), not(containsString("folder     uploaded")));
    assertThat(again.out(), containsString("folder     already there  provinces.parquet"));

    Fixtures.Run ok = d4c("verify", build.toString(), "--mirrors", mirrors.toString());
    assertThat(ok.toString(), ok.exitCode(), is(0));
    assertThat(ok.out(), containsString("Every file on every mirror matches the build (4 files x 1 mirrors)."));

    try (RandomAccessFile raf = new RandomAccessFile(published.resolve("provinces.parquet").toFile(), "rw")) {
      raf.seek(1000);
      int b = raf.read();
      raf.seek(1000);
      raf.write(b ^ 0x20);
    }
    Fixtures.Run bad = d4c("verify", build.toString(), "--mirrors", mirrors.toString());
    assertThat(bad.toString(), bad.exitCode(), is(6));
    assertThat(bad.err(), containsString("folder: provinces.parquet corrupt"));
    assertThat(bad.err(), not(containsString("manifest.json corrupt")));
  }

  /**
   * Under umask 077 every file a publish writes to the folder mirror and to the build's .d4c-publish/ is 0644 and
   * every folder 0755: what a web server running as another user needs to serve them.
   */
  @Test
  void publishedFilesAndFoldersAreServableWhateverTheUmask() throws Exception {
    Path copy = tmp.resolve("umask/ca-provinces");
    Fixtures.copyTree(build, copy);
    Fixtures.deleteTree(copy.resolve(".d4c-publish"));
    Path file = Files.writeString(tmp.resolve("umask/mirrors.yaml"), """
        mirrors:
          - id: folder
            type: local
            path: deep/mirror
            public_url: http://127.0.0.1:8750/
        """);
    String jni = System.getProperty("libtorrent4j.jni.path");
    Fixtures.Run r = Fixtures.d4cSubprocess(tmp.resolve("umask"), java.util.Map.of(),
        jni == null ? List.of() : List.of("-Dlibtorrent4j.jni.path=" + jni), "077",
        "publish", copy.toString(), "--mirrors", file.toString(), "--catalog", tmp.resolve("umask/deep/catalog").toString());
    assertThat(r.toString(), r.exitCode(), is(0));
    List<String> wrong = new java.util.ArrayList<>();
    for (Path root : List.of(tmp.resolve("umask/deep"), copy.resolve(".d4c-publish"))) {
      try (var s = Files.walk(root)) {
        for (Path p : s.toList()) {
          String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
          String want = Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--";
          if (!mode.equals(want) && !p.getFileName().toString().equals(".d4c-catalog.lock")) wrong.add(tmp.relativize(p) + " " + mode);
        }
      }
    }
    assertThat(wrong, is(List.of()));
  }

  @Test
  void aBadMirrorFileNamesTheFieldAndExits2() throws Exception {
    Path wrong = Files.writeString(tmp.resolve("wrong.yaml"), """
        mirrors:
          - id: r2
            type: s3
            bucket: d4c
            access_key_env: R2_KEY
            secret_key: do-not-put-secrets-here
        """);
    Fixtures.Run r = d4c("publish", build.toString(), "--mirrors", wrong.toString());
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.err(), containsString("wrong.yaml"));
    assertThat(r.err(), containsString("secret_key"));
    assertThat(r.err(), not(containsString("do-not-put-secrets-here")));
  }
}
