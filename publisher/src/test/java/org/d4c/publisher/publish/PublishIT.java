package org.d4c.publisher.publish;

import org.d4c.testing.Tools;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.Processes;
import org.d4c.catalog.Catalog;
import org.d4c.testing.TestBuilds;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.mirror.MirrorException;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.testing.S3Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A whole publish against real servers: s3proxy as the S3 mirror (its anonymous twin over the same folder is the
 * public HTTP endpoint), a local folder mirror, the catalog; aria2c downloads the version through the web seed only.
 * The S3 secret is a canary that must appear nowhere.
 */
class PublishIT {
  static final String KEY = "publish-access";
  static final String CANARY = "canary-secret-5d1c0e77b2";

  @TempDir Path tmp;
  S3Server server;
  S3Server anonymous;
  Path mirrors;
  final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    Files.createDirectories(tmp.resolve("store"));
    server = S3Server.start(tmp.resolve("store"), 0, KEY, CANARY);
    anonymous = S3Server.start(tmp.resolve("store"), 0, null, null);
    try (S3Client c = S3Client.builder().endpointOverride(server.endpoint()).region(Region.of("auto")).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, CANARY))).build()) {
      c.createBucket(b -> b.bucket("d4c"));
    }
    Files.writeString(tmp.resolve("credentials"), "[default]\naws_access_key_id = " + KEY + "\naws_secret_access_key = " + CANARY + "\n");
    mirrors = tmp.resolve("mirrors.yaml");
    Files.writeString(mirrors, """
        trackers: [udp://127.0.0.1:6969/announce]
        mirrors:
          - id: s3
            type: s3
            endpoint: %s
            region: auto
            bucket: d4c
            prefix: datasets/
            public_url: http://127.0.0.1:%d/d4c/datasets/
            credentials_file: credentials
            part_size_mib: 5
            catalog: true
          - id: folder
            type: local
            path: folder-mirror
        """.formatted(server.endpoint(), anonymous.port()));
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) server.close();
    if (anonymous != null) anonymous.close();
  }

  /** A stand-in for the source bundle (the bundle itself is tested in the manifests module): fixed bytes. */
  static Path bundle(Path build, Path out) {
    try {
      Manifest m = Manifests.read(build.resolve(Manifests.FILE_NAME));
      Files.createDirectories(out);
      Path f = out.resolve(m.dataset() + "-" + m.version() + "-source.tar.gz");
      Files.write(f, ("source of " + m.dataset()).getBytes(StandardCharsets.UTF_8));
      return f;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  Publish.Result publish(Path build, Path catalog, List<String> only) {
    MirrorFile.Contents file = MirrorFile.loadContents(mirrors);
    List<MirrorFile.Config> all = file.mirrors();
    Path state = build.resolve(Publish.WORK_DIR).resolve("uploads");
    Publish p = new Publish(c -> Mirrors.open(c, Credentials.of(Map.of()), state), PublishIT::bundle,
        new PrintStream(log, true, StandardCharsets.UTF_8), Progress.NONE);
    return p.run(new Publish.Options(build, all, MirrorFile.select(all, only, mirrors), catalog, false, false, false, file.trackers()));
  }

  @Test
  void publishesEverywhereUpdatesTheCatalogAndAria2FetchesItThroughTheWebSeed() throws Exception {
    Path build = TestBuilds.write(tmp.resolve("builds/alpha"), TestBuilds.Spec.of("alpha", "1.0.0", TestBuilds.CANADA));
    Path catalog = tmp.resolve("catalog");
    Publish.Result first = publish(build, catalog, null);
    assertThat(log.toString(), first.ok(), is(true));
    List<String> names = first.release().files().stream().map(f -> f.name()).toList();
    assertThat(names, is(List.of("alpha-1.0.0-source.tar.gz", "alpha-1.0.0.torrent", "data.parquet", "manifest.json")));
    for (Mirror.Report r : first.reports()) {
      assertThat(r.mirror(), r.files().stream().map(f -> f.outcome()).toList(), everyItem(is(Mirror.Outcome.UPLOADED)));
    }

    JsonNode item = Catalog.at(catalog).item("alpha-1.0.0");
    String publicBase = "http://127.0.0.1:" + anonymous.port() + "/d4c/datasets/";
    assertThat(item.path("assets").path("data").path("href").asText(), is(publicBase + "alpha-1.0.0/data.parquet"));
    assertThat("a mirror without a public URL gives no href",
        item.path("assets").path("data").path("alternate").path("folder").isMissingNode(), is(true));
    assertThat(item.path("assets").path("torrent").path("type").asText(), is("application/x-bittorrent"));
    assertThat(item.path("assets").path("torrent").path("href").asText(), is(publicBase + "alpha-1.0.0/alpha-1.0.0.torrent"));
    assertThat(item.path("assets").path("source").path("href").asText(), is(publicBase + "alpha-1.0.0/alpha-1.0.0-source.tar.gz"));
    assertThat(item.path("properties").path("torrent:infohash").asText(), is(first.torrent().infoHashV1()));
    String magnet = item.path("properties").path("torrent:magnet").asText();
    assertThat(magnet, startsWith("magnet:?xt=urn:btih:" + first.torrent().infoHashV1()));
    String enc = java.net.URLEncoder.encode(publicBase, StandardCharsets.UTF_8);
    assertThat("the mirror file's tracker", magnet, org.hamcrest.Matchers.containsString("&tr=udp%3a%2f%2f127.0.0.1%3a6969%2fannounce"));
    assertThat("the web seed", magnet.toLowerCase(java.util.Locale.ROOT), org.hamcrest.Matchers.containsString("&ws=" + enc.toLowerCase(java.util.Locale.ROOT)));
    assertThat("the .torrent's own URL", magnet, org.hamcrest.Matchers.containsString("&xs=" + enc + "alpha-1.0.0%2Falpha-1.0.0.torrent"));
    assertThat(new org.libtorrent4j.TorrentInfo(first.torrent().bytes()).trackers().get(0).url(), is("udp://127.0.0.1:6969/announce"));
    assertThat(Files.isRegularFile(tmp.resolve("folder-mirror/alpha-1.0.0/data.parquet")), is(true));
    assertThat(Files.isRegularFile(tmp.resolve("store/d4c/datasets/catalog/catalog.parquet")), is(true));

    // An independent client, aria2c, with the S3 server's public endpoint as its only source.
    String aria2c = Processes.which("aria2c");
    Tools.require(aria2c != null, "aria2c is not installed (apt-get install -y aria2)");
    Path down = Files.createDirectories(tmp.resolve("download"));
    Processes.run(List.of(aria2c, "--dir=" + down, "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
        "--enable-peer-exchange=false", "--seed-time=0", "--bt-tracker-connect-timeout=1", "--check-integrity=true",
        "--file-allocation=none", "--console-log-level=warn", "--summary-interval=0", "--listen-port=6881-6999",
        "--bt-stop-timeout=60", first.torrent().file().toString()), 120);
    Manifest m = Manifests.read(build.resolve(Manifests.FILE_NAME));
    for (Manifest.OutputFile o : m.outputs()) {
      assertThat(o.path(), Hashing.sha256(down.resolve("alpha-1.0.0").resolve(o.path())), is(o.sha256()));
    }
    assertThat(Hashing.sha256(down.resolve("alpha-1.0.0/alpha-1.0.0-source.tar.gz")),
        is(Hashing.sha256(build.resolve(Publish.WORK_DIR).resolve("alpha-1.0.0-source.tar.gz"))));

    // Publishing again sends nothing and makes the same torrent.
    byte[] torrent = first.torrent().bytes();
    Publish.Result second = publish(build, catalog, null);
    assertThat(second.ok(), is(true));
    for (Mirror.Report r : second.reports()) {
      assertThat(r.mirror(), r.count(Mirror.Outcome.UPLOADED), is(0L));
    }
    assertThat(second.torrent().bytes(), is(torrent));

    // The canary secret is nowhere: not in the output, the catalog, the torrent, the work folder or either mirror.
    assertThat(log.toString(), not(containsString(CANARY)));
    try (var walk = Files.walk(tmp)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        if (p.equals(tmp.resolve("credentials"))) continue;
        assertThat(p.toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1), not(containsString(CANARY)));
      }
    }
  }

  @Test
  void aBuildOfOnlyTablesIsPublishedSeededAndCatalogedWithANullGeometry() throws Exception {
    Path build = Files.createDirectories(tmp.resolve("builds/census"));
    TestBuilds.writeTable(build.resolve("profile.parquet"), 4);
    TestBuilds.lock(build, TestBuilds.recipeHead("census", "1.0.0", "Census", "Counts by geography."), List.of("profile.parquet"),
        new java.util.TreeMap<>(Map.of("crs", "OGC:CRS84", "geoparquet_version", "1.1.0")), null);
    Path catalog = tmp.resolve("catalog");
    Publish.Result r = publish(build, catalog, null);
    assertThat(log.toString(), r.ok(), is(true));
    assertThat(r.release().files().stream().map(f -> f.name()).toList(),
        is(List.of("census-1.0.0-source.tar.gz", "census-1.0.0.torrent", "manifest.json", "profile.parquet")));
    JsonNode item = Catalog.at(catalog).item("census-1.0.0");
    assertThat(item.get("geometry").isNull(), is(true));
    assertThat(item.has("bbox"), is(false));
    assertThat(item.path("properties").path("torrent:infohash").asText(), is(r.torrent().infoHashV1()));
    assertThat(item.path("assets").path("profile").path("href").asText(), startsWith("http://127.0.0.1:" + anonymous.port() + "/"));
    assertThat(Files.isRegularFile(tmp.resolve("folder-mirror/census-1.0.0/profile.parquet")), is(true));
    assertThat(Files.isRegularFile(tmp.resolve("store/d4c/datasets/catalog/catalog.parquet")), is(true));
  }

  /**
   * A byte changed on the mirror: verify finds it, publish uploads the object again (the skip rests on the bytes read
   * back, not on the sha256 metadata we wrote), and then it verifies. A publish with another mirror file whose only
   * mirror is down fails with nothing changed: the catalog item and the local torrent stay as they were.
   */
  @Test
  void aCorruptMirrorCopyIsRepairedAndAFailedPublishChangesNothing() throws Exception {
    Path build = TestBuilds.write(tmp.resolve("builds/alpha"), TestBuilds.Spec.of("alpha", "1.0.0", TestBuilds.CANADA));
    Path catalog = tmp.resolve("catalog");
    Publish.Result first = publish(build, catalog, List.of("s3"));
    assertThat(log.toString(), first.ok(), is(true));
    Path object = server.objectFile("d4c", "datasets/alpha-1.0.0/data.parquet");
    byte[] b = Files.readAllBytes(object);
    b[b.length / 2] ^= 1;
    Files.write(object, b);
    MirrorFile.Config s3 = MirrorFile.select(MirrorFile.load(mirrors), List.of("s3"), mirrors).get(0);
    Path state = build.resolve(Publish.WORK_DIR).resolve("uploads");
    try (Mirror m = Mirrors.open(s3, Credentials.of(Map.of()), state)) {
      assertThat(m.verify(first.release(), Progress.NONE).files().stream().filter(f -> f.name().equals("data.parquet"))
          .findFirst().orElseThrow().outcome(), is(Mirror.Outcome.CORRUPT));
    }
    Publish.Result again = publish(build, catalog, List.of("s3"));
    Mirror.FileResult data = again.reports().get(0).files().stream().filter(f -> f.name().equals("data.parquet")).findFirst().orElseThrow();
    assertThat(log.toString(), data.outcome(), is(Mirror.Outcome.UPLOADED));
    try (Mirror m = Mirrors.open(s3, Credentials.of(Map.of()), state)) {
      assertThat(m.verify(again.release(), Progress.NONE).files().stream().map(f -> f.outcome()).toList(),
          everyItem(is(Mirror.Outcome.VERIFIED)));
    }

    Path torrent = first.torrent().file();
    byte[] torrentBefore = Files.readAllBytes(torrent);
    String itemBefore = Catalog.at(catalog).item("alpha-1.0.0").toString();
    mirrors = tmp.resolve("down.yaml");
    Files.writeString(mirrors, String.join("\n", "mirrors:", "  - id: down", "    type: s3", "    endpoint: http://127.0.0.1:1",
        "    region: auto", "    bucket: d4c", "    public_url: http://127.0.0.1:1/elsewhere/", "    credentials_file: credentials", ""));
    Publish.Result failed = publish(build, catalog, null);
    assertThat(failed.ok(), is(false));
    assertThat(log.toString(), containsString("Catalog: not changed"));
    assertThat("the torrent the healthy mirror holds is still the local one", Files.readAllBytes(torrent), is(torrentBefore));
    assertThat(Catalog.at(catalog).item("alpha-1.0.0").toString(), is(itemBefore));
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(torrent)), is("rw-r--r--"));
  }

  @Test
  void aFailingMirrorDoesNotStopTheOthersAndOnlyLimitsToTheChosenOnes() throws Exception {
    Path build = TestBuilds.write(tmp.resolve("builds/alpha"), TestBuilds.Spec.of("alpha", "1.0.0", TestBuilds.CANADA));
    server.close();
    server = null;
    Publish.Result r = publish(build, null, null);
    assertThat(r.ok(), is(false));
    assertThat(r.failures().toString(), r.failures().get(0), startsWith("s3: "));
    assertThat(r.reports().stream().map(Mirror.Report::mirror).toList(), hasItem("folder"));
    assertThat(log.toString(), not(containsString(CANARY)));

    MirrorException bad = assertThrows(MirrorException.class, () -> publish(build, null, List.of("nope")));
    assertThat(bad.getMessage(), containsString("s3, folder"));
    Publish.Result onlyFolder = publish(build, null, List.of("folder"));
    assertThat(onlyFolder.ok(), is(true));
    assertThat(onlyFolder.reports().stream().map(Mirror.Report::mirror).toList(), is(List.of("folder")));
    // The torrent still names every HTTP mirror of the file as a web seed, whatever --only says.
    assertThat(new String(onlyFolder.torrent().bytes(), StandardCharsets.ISO_8859_1), containsString("/d4c/datasets/"));
  }

  @Test
  void zenodoGivesTheDoiFirstTheArchiveTheWebSeedAndARepublishMintsNothing() throws Exception {
    Path build = TestBuilds.write(tmp.resolve("builds/alpha"), TestBuilds.Spec.of("alpha", "1.0.0", TestBuilds.CANADA));
    try (var zenodo = org.d4c.publisher.zenodo.ZenodoContractServer.start().requireToken(CANARY + "-z");
         var archive = org.d4c.publisher.archive.ArchiveContractServer.start("ia-access", CANARY + "-ia")) {
      Files.writeString(mirrors, """
          mirrors:
            - {id: zenodo, type: zenodo, url: "%s", token_env: ZENODO_TOKEN, creators: ["Tests, d4c"]}
            - {id: ia, type: internet-archive, endpoint: "%s", archive_url: "%s", access_key_env: IA_ACCESS, secret_key_env: IA_SECRET}
          """.formatted(zenodo.baseUrl(), archive.baseUrl(), archive.baseUrl()));
      Credentials creds = Credentials.of(Map.of("ZENODO_TOKEN", CANARY + "-z", "IA_ACCESS", "ia-access", "IA_SECRET", CANARY + "-ia"));
      List<MirrorFile.Config> all = MirrorFile.load(mirrors);
      Path state = build.resolve(Publish.WORK_DIR).resolve("uploads");
      Publish p = new Publish(c -> Mirrors.open(c, creds, state), PublishIT::bundle,
          new PrintStream(log, true, StandardCharsets.UTF_8), Progress.NONE);
      Path catalog = tmp.resolve("catalog");
      Publish.Result first = p.run(new Publish.Options(build, all, all, catalog, false, false, false));
      assertThat(log.toString(), first.ok(), is(true));
      assertThat(first.doi(), startsWith("10."));
      // The DOI is in the torrent's comment, and the archive's /download/ is a web seed.
      String torrentText = new String(first.torrent().bytes(), StandardCharsets.ISO_8859_1);
      assertThat(torrentText, containsString(first.doi()));
      assertThat(torrentText, containsString(archive.baseUrl().toString().replaceAll("/+$", "") + "/download/"));
      JsonNode item = Catalog.at(catalog).item("alpha-1.0.0");
      assertThat(item.path("properties").path("sci:doi").asText(), is(first.doi()));
      assertThat(item.path("assets").path("data").path("alternate").path("zenodo").path("href").asText(), startsWith("http"));
      assertThat(item.path("assets").path("data").path("alternate").path("ia").path("href").asText(), containsString("/download/alpha-1.0.0/data.parquet"));

      Publish.Result second = p.run(new Publish.Options(build, all, all, catalog, false, false, false));
      assertThat(log.toString(), second.ok(), is(true));
      assertThat(second.doi(), is(first.doi()));
      assertThat(second.torrent().bytes(), is(first.torrent().bytes()));
      for (Mirror.Report r : second.reports()) assertThat(r.mirror(), r.count(Mirror.Outcome.UPLOADED), is(0L));
      assertThat(log.toString(), not(containsString(CANARY)));
    }
  }

  @Test
  void aBuildOfUncommittedCodeIsRefused() throws Exception {
    Path build = TestBuilds.write(tmp.resolve("builds/alpha"), TestBuilds.Spec.of("alpha", "1.0.0", TestBuilds.CANADA));
    Path mf = build.resolve(Manifests.FILE_NAME);
    Files.writeString(mf, Files.readString(mf).replace("\"dirty\": false", "\"dirty\": true"));
    assertThat(Manifests.read(mf).resolvedDependencies().code().dirty(), is(true));
    MirrorException e = assertThrows(MirrorException.class, () -> publish(build, null, null));
    assertThat(e.getMessage(), containsString("uncommitted"));
    assertThat(Files.exists(tmp.resolve("folder-mirror")), is(false));
    assertThat(e.getMessage(), not(containsString(CANARY)));
  }
}
