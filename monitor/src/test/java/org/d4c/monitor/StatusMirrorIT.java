package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.d4c.catalog.status.State;
import org.d4c.catalog.status.StatusDocument;
import org.d4c.catalog.status.StatusKeys;
import org.d4c.cli.D4c;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.publish.StatusMirrors;
import org.d4c.monitor.report.ReportLog;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.testing.FaultServer;
import org.d4c.testing.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * status.json, the status keys and the report log go to the catalog mirrors of the publisher's mirror file: a real S3
 * server (s3proxy) and a folder. Read back from S3, status.json passes its schema, carries the monitor's public URL
 * and its signature verifies with the keys read back from the same bucket. A bad mirror file is refused (exit 2)
 * with a message naming the file, before any round.
 */
class StatusMirrorIT {
  static final String KEY = "monitor-access";
  static final String SECRET = "monitor-secret-0123456789";

  @TempDir Path tmp;

  @Test
  void statusGoesToS3AndFolderCatalogMirrors() throws Exception {
    Path store = Files.createDirectories(tmp.resolve("s3"));
    Path dataDir = Files.createDirectories(tmp.resolve("mirror"));
    Path folderMirror = tmp.resolve("folder-mirror");
    try (S3Server s3 = S3Server.start(store, 0, KEY, SECRET); FaultServer mirror = new FaultServer(dataDir);
        S3Client client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.of("auto")).forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET))).build()) {
      client.createBucket(b -> b.bucket("d4c"));
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("m", new AbstractMap.SimpleEntry<>(dataDir, mirror.base()));
      String item = Published.publish(catalog, mirrors, "rivers", "1.0.0", 50_000, 5).id();
      Path mirrorFile = tmp.resolve("mirrors.yaml");
      Files.writeString(mirrorFile, String.join("\n", "mirrors:",
          "  - id: r2", "    type: s3", "    endpoint: " + s3.endpoint(), "    region: auto", "    bucket: d4c", "    prefix: datasets/",
          "    access_key_env: MON_ACCESS", "    secret_key_env: MON_SECRET", "    catalog: true",
          "  - id: files", "    type: local", "    path: folder-mirror", "    catalog: true",
          "  - id: other", "    type: local", "    path: not-catalog", ""));
      StatusMirrors sm = StatusMirrors.load(mirrorFile, Credentials.of(Map.of("MON_ACCESS", KEY, "MON_SECRET", SECRET)), tmp.resolve("state"));
      assertThat(sm.ids(), is(List.of("r2", "files")));
      MonitorConfig cfg = new MonitorConfig(catalog.toString(), "ottawa", 1, List.of(), Map.of("m", mirror.base()), Map.of(),
          tmp.resolve("data"), catalog, List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), MonitorIT.TEST_POLICY,
          Clock.systemUTC(), null, 100).withPublicUrl("https://status.example.org/monitor").withMirrors(sm);
      try (Monitor m = new Monitor(cfg)) {
        m.loadCatalog();
        m.runRound();

        byte[] status = client.getObject(b -> b.bucket("d4c").key("datasets/catalog/" + StatusDocument.FILE), ResponseTransformer.toBytes()).asByteArray();
        byte[] keys = client.getObject(b -> b.bucket("d4c").key("datasets/catalog/" + StatusKeys.FILE), ResponseTransformer.toBytes()).asByteArray();
        StatusDocument doc = StatusDocument.parse(status); // validates against the schema
        Path keysFile = Files.write(tmp.resolve("keys-from-s3.json"), keys);
        assertThat(doc.verify(StatusKeys.read(keysFile)), is(true));
        assertThat(doc.monitorUrl().orElseThrow(), is("https://status.example.org/monitor/"));
        assertThat(doc.statusVersion(), is(StatusDocument.VERSION_1_1));
        assertThat(doc.item(item).orElseThrow().locations().get(0).state(), is(State.VERIFIED));
        assertThat("the S3 copy is the local one", status, is(Files.readAllBytes(catalog.resolve(StatusDocument.FILE))));
        // The folder mirror of the same file got the same bytes; the mirror without `catalog: true` got nothing.
        assertThat(Files.readAllBytes(folderMirror.resolve("catalog").resolve(StatusDocument.FILE)), is(status));
        assertThat(Files.exists(tmp.resolve("not-catalog")), is(false));

        // A report lands in the log; the next round pushes the grown log and its checkpoint, which verify from S3.
        m.submit(CanonicalJsonOf.report(item, "m"));
        m.awaitTriage(Duration.ofSeconds(60));
        m.runRound();
        Path log = Files.write(tmp.resolve("log-from-s3.jsonl"),
            client.getObject(b -> b.bucket("d4c").key("datasets/catalog/" + ReportLog.LOG), ResponseTransformer.toBytes()).asByteArray());
        Path cp = Files.write(tmp.resolve("checkpoint-from-s3.json"),
            client.getObject(b -> b.bucket("d4c").key("datasets/catalog/" + ReportLog.CHECKPOINT), ResponseTransformer.toBytes()).asByteArray());
        assertThat(ReportLog.verify(log).entries(), greaterThanOrEqualTo(1L));
        assertThat(ReportLog.verifyCheckpoint(cp, log, m.publicKey()), is(true));
        StatusDocument second = StatusDocument.parse(
            client.getObject(b -> b.bucket("d4c").key("datasets/catalog/" + StatusDocument.FILE), ResponseTransformer.toBytes()).asByteArray());
        assertThat(second.round(), is(2L));
        assertThat(sm.errors(), is(Map.of()));

        // `d4c report` posts relative to the monitor's address (with or without a trailing slash).
        try (org.d4c.monitor.web.MonitorServer server = org.d4c.monitor.web.MonitorServer.start(new org.d4c.core.net.HostPort("127.0.0.1", 0),
            new org.d4c.monitor.web.MonitorApi(m))) {
          long before = m.reportLog().entries();
          assertThat(d4c("report", item, "--location", "m", "--problem", "slow", "--monitor", server.origin()).code, is(0));
          assertThat(m.reportLog().entries(), greaterThanOrEqualTo(before + 1));
          Run bad = d4c("report", item, "--location", "m", "--problem", "slow", "--monitor", "ftp://127.0.0.1/");
          assertThat(bad.code, is(2));
          assertThat(bad.err, containsString("--monitor"));
        }
      }
    }
  }

  @Test
  void badMirrorFilesAreRefusedWithExit2() throws Exception {
    Path catalog = Files.createDirectories(tmp.resolve("catalog"));
    Path dataDir = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(dataDir)) {
      Published.publish(catalog, Map.of("m", new AbstractMap.SimpleEntry<>(dataDir, mirror.base())), "lakes", "1.0.0", 1000, 3);
    }
    Path missing = tmp.resolve("missing.yaml");
    Path broken = Files.writeString(tmp.resolve("broken.yaml"), "mirrors:\n  - id: r2\n    type: s3\n    bucket: [x\n");
    Path schema = Files.writeString(tmp.resolve("schema.yaml"), "mirrors:\n  - id: r2\n    type: s3\n");
    Path noCatalog = Files.writeString(tmp.resolve("nocatalog.yaml"), "mirrors:\n  - id: files\n    type: local\n    path: out\n");
    Path noCreds = Files.writeString(tmp.resolve("nocreds.yaml"), "mirrors:\n  - id: r2\n    type: s3\n    endpoint: http://127.0.0.1:9\n"
        + "    bucket: d4c\n    access_key_env: D4C_TEST_UNSET_ACCESS_KEY\n    secret_key_env: D4C_TEST_UNSET_SECRET\n    catalog: true\n");
    Map<Path, String> expected = new LinkedHashMap<>();
    expected.put(missing, "cannot read the mirror file");
    expected.put(broken, "broken.yaml");
    expected.put(schema, "bucket");
    expected.put(noCatalog, "no mirror takes the catalog");
    expected.put(noCreds, "D4C_TEST_UNSET_ACCESS_KEY");
    for (Map.Entry<Path, String> e : expected.entrySet()) {
      Run r = d4c("monitor", "--catalog", catalog.toString(), "--data", tmp.resolve("data").toString(), "--mirrors", e.getKey().toString(), "--once");
      assertThat(e.getKey() + ": " + r.err, r.code, is(2));
      assertThat(r.err, containsString(e.getKey().getFileName().toString().equals("nocreds.yaml") ? "r2" : e.getKey().getFileName().toString()));
      assertThat(r.err, containsString(e.getValue()));
      assertThat("nothing was written for " + e.getKey(), Files.exists(catalog.resolve(StatusDocument.FILE)), is(false));
    }
    Run url = d4c("monitor", "--catalog", catalog.toString(), "--data", tmp.resolve("data").toString(), "--public-url", "ftp://x.example.org/", "--once");
    assertThat(url.code, is(2));
    assertThat(url.err, containsString("--public-url"));
  }

  record Run(int code, String err) {}

  static synchronized Run d4c(String... args) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = D4c.execute(args);
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(old);
    }
  }

  /** A minimal valid report. */
  static final class CanonicalJsonOf {
    static com.fasterxml.jackson.databind.node.ObjectNode report(String item, String location) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("item", item).put("location", location).put("problem", "slow");
    }
  }
}
