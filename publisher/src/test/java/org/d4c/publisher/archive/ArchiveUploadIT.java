package org.d4c.publisher.archive;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.archive.ArchiveContractServer.Request;
import org.d4c.publisher.archive.ArchiveResult.ArchiveFile;
import org.d4c.publisher.archive.ArchiveResult.State;
import org.d4c.publisher.mirror.HttpSend;
import org.d4c.publisher.mirror.Md5;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.mirror.Retry;
import org.d4c.publisher.mirror.TestReleases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ArchiveUpload against {@link ArchiveContractServer} over loopback (the documented APIs, not the real archive). */
class ArchiveUploadIT {
  private static final String ACCESS = "testaccess123";
  private static final String SECRET = "testsecret456";

  @TempDir Path tmp;
  private ArchiveContractServer server;
  private final List<Duration> waits = new ArrayList<>();
  private ArchiveUpload archive;
  private Release release;
  private String item;

  @BeforeEach void start() {
    server = ArchiveContractServer.start(ACCESS, SECRET);
    archive = client(SECRET);
    release = TestReleases.write(tmp.resolve("r"), "ca-provinces", "1.0.0+b2", Map.of("provinces.parquet", 3000, "territories.parquet", 1200), 1);
    item = archive.item(release);
  }

  @AfterEach void stop() {
    server.close();
  }

  private ArchiveUpload client(String secret) {
    ArchiveConfig c = new ArchiveConfig(server.baseUrl(), server.baseUrl(), ACCESS, secret, "IA_ACCESS_KEY", "IA_SECRET_KEY", "d4c-", "opendata");
    return new ArchiveUpload(c, HttpSend.newClient(), new Retry(4, Duration.ofSeconds(1), Duration.ofSeconds(30), waits::add));
  }

  private List<Request> puts() {
    return server.requests().stream().filter(r -> r.method().equals("PUT")).toList();
  }

  @Test void theFirstFileCreatesTheItemWithItsMetadata() {
    ArchiveResult r = archive.publish(release, Progress.NONE);

    assertThat(item, is("d4c-ca-provinces-1.0.0_b2"));
    assertThat(r.item(), is(item));
    assertThat(r.files().stream().map(ArchiveFile::state).distinct().toList(), contains(State.UPLOADED));
    assertThat(r.pending(), is(true));
    assertThat(r.files().get(1).downloadUrl().toString(), is(server.baseUrl() + "/download/" + item + "/provinces.parquet"));

    List<Request> puts = puts();
    assertThat(puts.stream().map(Request::path).toList(),
        contains("/" + item + "/manifest.json", "/" + item + "/provinces.parquet", "/" + item + "/territories.parquet"));
    Request first = puts.get(0);
    assertThat(first.header("authorization"), is("LOW " + ACCESS + ":" + SECRET));
    assertThat(first.header("x-amz-auto-make-bucket"), is("1"));
    assertThat(first.header("x-archive-meta-mediatype"), is("data"));
    assertThat(first.header("x-archive-meta-licenseurl"), is("https://creativecommons.org/licenses/by/4.0/"));
    assertThat(first.header("x-archive-meta01-subject"), is("boundaries"));
    assertThat(first.header("x-archive-meta02-subject"), is("canada"));
    assertThat(first.header("x-archive-meta03-subject"), is("provinces"));
    assertThat(first.header("x-archive-meta01-creator"), is("Statistics Canada"));
    assertThat(first.header("x-archive-meta02-creator"), is("d4c"));
    assertThat(first.header("x-archive-meta03-creator"), nullValue());
    assertThat(first.header("x-archive-meta-date"), is("2023-02-03"));
    assertThat(first.header("x-archive-meta-collection"), is("opendata"));
    assertThat(first.header("x-archive-meta-title"), startsWith("uri(Provinces%20of%20Canada%20%E2%80%93"));
    assertThat(first.header("x-archive-size-hint"), is(Long.toString(release.files().stream().mapToLong(f -> f.size()).sum())));
    for (Request p : puts) {
      assertThat(p.header("content-md5"), notNullValue());
      assertThat(p.header("x-archive-queue-derive"), is("0"));
    }
    for (Request later : puts.subList(1, puts.size())) {
      assertThat(later.header("x-amz-auto-make-bucket"), nullValue());
      assertThat(later.header("x-archive-meta-title"), nullValue());
    }
    Map<String, List<String>> md = server.itemMetadata(item);
    assertThat(md.get("title").get(0), startsWith("Provinces of Canada – test"));
    assertThat(md.get("description").get(0), containsString("Second paragraph with <b>markup</b>"));
    assertThat(md.get("subject"), contains("boundaries", "canada", "provinces"));
  }

  @Test void verificationIsPendingUntilTheArchiveHasIngested() {
    server.keepPending(true);
    archive.publish(release, Progress.NONE);

    ArchiveResult waiting = archive.verify(release, Progress.NONE);
    assertThat(waiting.files().stream().map(ArchiveFile::state).distinct().toList(), contains(State.PENDING));
    assertThat(waiting.problems(), empty());
    assertThat(waiting.verified(), is(false));

    server.completePending();
    ArchiveResult done = archive.verify(release, Progress.NONE);
    assertThat(done.files().stream().map(ArchiveFile::state).distinct().toList(), contains(State.OK));
    assertThat(done.verified(), is(true));
    assertThat(done.files().get(0).archiveMd5(), is(done.files().get(0).md5()));
  }

  @Test void republishingSkipsFilesAlreadyThereWithTheSameMd5() {
    archive.publish(release, Progress.NONE);
    server.corrupt(item, "territories.parquet");
    server.clearRequests();

    ArchiveResult again = archive.publish(release, Progress.NONE);

    assertThat(again.files().stream().map(ArchiveFile::state).toList(), contains(State.ALREADY_THERE, State.ALREADY_THERE, State.UPLOADED));
    assertThat(puts().stream().map(Request::path).toList(), contains("/" + item + "/territories.parquet"));
    assertThat(puts().get(0).header("x-amz-auto-make-bucket"), nullValue());
    assertThat(archive.verify(release, Progress.NONE).verified(), is(true));
  }

  @Test void missingAndDamagedFilesAreReported() {
    archive.publish(release, Progress.NONE);
    server.corrupt(item, "provinces.parquet");
    server.remove(item, "territories.parquet");

    ArchiveResult r = archive.verify(release, Progress.NONE);

    assertThat(r.files().stream().map(ArchiveFile::state).toList(), contains(State.OK, State.MISMATCH, State.MISSING));
    assertThat(r.problems(), contains(startsWith(item + "/provinces.parquet: MISMATCH"), startsWith(item + "/territories.parquet: MISSING")));
  }

  @Test void slowDownIsRetriedAfterItsRetryAfter() {
    server.failNext(2, 503, "SlowDown", "3");
    ArchiveResult r = archive.publish(release, Progress.NONE);
    assertThat(r.files(), hasSize(3));
    assertThat(waits, contains(Duration.ofSeconds(3), Duration.ofSeconds(3)));

    waits.clear();
    server.clearRequests();
    server.failNext(10, 500, "InternalError", null);
    ArchiveException e = assertThrows(ArchiveException.class, () -> archive.verify(release, Progress.NONE));
    assertThat(e.getMessage(), allOf(containsString("HTTP 500 InternalError"), containsString("4 attempts")));
    assertThat(waits, contains(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)));
  }

  @Test void aRefusalIsNeverRetried() {
    ArchiveUpload wrong = client("wrongsecret");
    ArchiveException e = assertThrows(ArchiveException.class, () -> wrong.publish(release, Progress.NONE));
    assertThat(e.status(), is(403));
    assertThat(e.getMessage(), allOf(containsString("SignatureDoesNotMatch"), containsString("IA_ACCESS_KEY"), containsString("IA_SECRET_KEY"),
        containsString("manifest.json"), not(containsString("wrongsecret")), not(containsString(ACCESS))));
    assertThat(puts(), hasSize(1));
    assertThat(waits, empty());
  }

  @Test void aDamagedUploadIsRejectedByContentMd5() throws Exception {
    // the file changes after its MD5 was taken: the archive answers 400 BadDigest, not retried
    Release r = release;
    ArchiveUpload racing = new ArchiveUpload(new ArchiveConfig(server.baseUrl(), server.baseUrl(), ACCESS, SECRET, "IA_ACCESS_KEY", "IA_SECRET_KEY", "", null),
        HttpSend.newClient(), new Retry(4, Duration.ofSeconds(1), Duration.ofSeconds(30), d -> {})) ;
    String before = Md5.ofFile(r.files().get(0).path(), "x", Progress.NONE);
    Progress damageAfterHash = new Progress() {
      @Override public void begin(String task, long total) {
        if (task.startsWith("Internet Archive manifest.json")) TestReleases.damage(r.files().get(0).path());
      }
      @Override public void update(long done) {}
      @Override public void end() {}
    };
    ArchiveException e = assertThrows(ArchiveException.class, () -> racing.publish(r, damageAfterHash));
    assertThat(e.getMessage(), allOf(containsString("400 BadDigest"), containsString("manifest.json"), containsString("publish again")));
    assertThat(before, not(Md5.ofFile(r.files().get(0).path(), "x", Progress.NONE)));
  }
}
