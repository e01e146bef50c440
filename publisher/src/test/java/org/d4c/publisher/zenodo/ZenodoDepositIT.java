package org.d4c.publisher.zenodo;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.mirror.HttpSend;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.mirror.Retry;
import org.d4c.publisher.mirror.TestReleases;
import org.d4c.publisher.zenodo.ZenodoContractServer.Request;
import org.d4c.publisher.zenodo.ZenodoResult.Outcome;
import org.d4c.publisher.zenodo.ZenodoResult.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ZenodoDeposit against {@link ZenodoContractServer} over loopback (the documented API, not the real Zenodo). */
class ZenodoDepositIT {
  private static final String TOKEN = "test-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private ZenodoContractServer server;
  private final List<Duration> waits = new ArrayList<>();
  private ZenodoDeposit zenodo;

  @BeforeEach void start() {
    server = ZenodoContractServer.start().requireToken(TOKEN);
    zenodo = client(TOKEN, "dataforcanada");
  }

  @AfterEach void stop() {
    server.close();
  }

  private ZenodoDeposit client(String token, String community) {
    ZenodoConfig config = new ZenodoConfig(server.baseUrl(), token, "ZENODO_TOKEN", community, List.of());
    return new ZenodoDeposit(config, HttpSend.newClient(), new Retry(4, Duration.ofSeconds(1), Duration.ofSeconds(30), waits::add));
  }

  private Release release(String version, long seed) {
    return TestReleases.write(tmp.resolve(version + "-" + seed), "ca-provinces", version,
        Map.of("provinces.parquet", 3000, "territories.parquet", 1200), seed);
  }

  @Test void firstVersionIsCreatedUploadedDescribedAndPublished() throws Exception {
    Release r = release("1.0.0", 1);
    ZenodoResult result = zenodo.publish(r, ZenodoDeposit.Recorded.NONE, Progress.NONE);

    assertThat(result.outcome(), is(Outcome.PUBLISHED));
    assertThat(result.versionDoi(), is(ZenodoContractServer.DOI_PREFIX + result.recordId()));
    assertThat(result.conceptDoi(), is(ZenodoContractServer.DOI_PREFIX + result.conceptRecordId()));
    assertThat(result.files().stream().map(ZenodoResult.ZenodoFile::name).toList(),
        contains("manifest.json", "provinces.parquet", "territories.parquet"));
    assertThat(result.files().stream().map(ZenodoResult.ZenodoFile::state).distinct().toList(), contains(State.UPLOADED));
    assertThat(result.files().get(1).downloadUrl().toString(),
        is(server.baseUrl() + "/api/records/" + result.recordId() + "/files/provinces.parquet/content"));
    assertThat(result.problems(), empty());

    List<String> calls = server.requests().stream().map(q -> q.method() + " " + q.path().replaceAll("/api/files/[^/]+/", "/api/files/B/")).toList();
    long id = result.recordId();
    assertThat(calls, contains("POST /api/deposit/depositions", "PUT /api/files/B/manifest.json", "PUT /api/files/B/provinces.parquet",
        "PUT /api/files/B/territories.parquet", "PUT /api/deposit/depositions/" + id, "POST /api/deposit/depositions/" + id + "/actions/publish",
        "GET /api/records/" + id));
    for (Request q : server.requests()) {
      assertThat(q.toString(), q.header("authorization"), is("Bearer " + TOKEN));
      assertThat(q.toString(), q.query(), anyOf(nullValue(), not(containsString("access_token"))));
    }

    JsonNode md = JSON.readTree(server.requests().get(4).bodyText()).get("metadata");
    assertThat(md.get("upload_type").asText(), is("dataset"));
    assertThat(md.get("license").asText(), is("cc-by-4.0"));
    assertThat(md.get("version").asText(), is("1.0.0"));
    assertThat(md.get("title").asText(), startsWith("Provinces of Canada"));
    assertThat(textList(md.get("keywords")), contains("boundaries", "canada", "provinces"));
    assertThat(md.get("creators").findValuesAsText("name"), contains("Statistics Canada", "d4c"));
    assertThat(md.get("communities").get(0).get("identifier").asText(), is("dataforcanada"));
    assertThat(md.get("description").asText(), containsString("&lt;b&gt;markup&lt;/b&gt; &amp; an ampersand"));
    assertThat(md.get("related_identifiers").toString(), is("[{\"identifier\":\"https://github.com/dataforcanada/d4c/tree/0123456789abcdef0123456789abcdef01234567\",\"relation\":\"isCompiledBy\"},"
        + "{\"identifier\":\"https://example.org/data/provinces.gpkg\",\"relation\":\"isDerivedFrom\"}]"));
    assertThat(md.has("publication_date"), is(false));
    List<String> keys = new ArrayList<>();
    md.fieldNames().forEachRemaining(keys::add);
    assertThat("keys sorted", keys, is(keys.stream().sorted().toList()));
  }

  @Test void aLaterVersionIsANewVersionOfTheConceptWithoutTheInheritedFiles() {
    ZenodoResult v1 = zenodo.publish(release("1.0.0", 1), ZenodoDeposit.Recorded.NONE, Progress.NONE);
    Release r2 = TestReleases.write(tmp.resolve("v2"), "ca-provinces", "1.1.0", Map.of("provinces-2024.parquet", 2500), 2);
    server.clearRequests();

    ZenodoResult v2 = zenodo.publish(r2, new ZenodoDeposit.Recorded(null, v1.conceptDoi()), Progress.NONE);

    assertThat(v2.outcome(), is(Outcome.PUBLISHED));
    assertThat(v2.conceptDoi(), is(v1.conceptDoi()));
    assertThat(v2.versionDoi(), not(v1.versionDoi()));
    assertThat(v2.files().stream().map(ZenodoResult.ZenodoFile::name).toList(), contains("manifest.json", "provinces-2024.parquet"));
    assertThat(server.fileKeys(v2.recordId()), contains("manifest.json", "provinces-2024.parquet"));
    assertThat(server.fileKeys(v1.recordId()), contains("manifest.json", "provinces.parquet", "territories.parquet"));
    List<String> calls = server.requests().stream().map(q -> q.method() + " " + q.path()).toList();
    assertThat(calls.get(0), is("GET /api/records/" + v1.conceptRecordId() + "/versions/latest"));
    assertThat(calls.get(1), is("GET /api/records/" + v1.recordId()));
    assertThat(calls.get(2), is("POST /api/deposit/depositions/" + v1.recordId() + "/actions/newversion"));
    assertThat(calls.stream().filter(c -> c.startsWith("DELETE /api/deposit/depositions/" + v2.recordId() + "/files/")).count(), is(3L));
    assertThat(calls, not(hasItem("POST /api/deposit/depositions")));
  }

  @Test void theRecordedDoiIsCheckedAndNothingIsCreated() {
    Release r = release("1.0.0", 1);
    ZenodoResult first = zenodo.publish(r, ZenodoDeposit.Recorded.NONE, Progress.NONE);
    server.clearRequests();

    ZenodoResult again = zenodo.publish(r, new ZenodoDeposit.Recorded(first.versionDoi(), first.conceptDoi()), Progress.NONE);

    assertThat(again.outcome(), is(Outcome.ALREADY_THERE));
    assertThat(again.versionDoi(), is(first.versionDoi()));
    assertThat(again.files().stream().map(ZenodoResult.ZenodoFile::state).distinct().toList(), contains(State.ALREADY_THERE));
    assertThat(server.requests().stream().map(Request::method).distinct().toList(), contains("GET"));

    // the same version again from the concept DOI alone: found as the latest version, not versioned again
    server.clearRequests();
    ZenodoResult fromConcept = zenodo.publish(r, new ZenodoDeposit.Recorded(null, first.conceptDoi()), Progress.NONE);
    assertThat(fromConcept.outcome(), is(Outcome.ALREADY_THERE));
    assertThat(server.requests().stream().map(Request::method).distinct().toList(), contains("GET"));
  }

  @Test void aDamagedRecordFileIsReportedAsAMismatch() {
    Release r = release("1.0.0", 1);
    ZenodoResult first = zenodo.publish(r, ZenodoDeposit.Recorded.NONE, Progress.NONE);
    server.corruptRecordFile(first.recordId(), "territories.parquet");

    ZenodoResult check = zenodo.verify(r, first.versionDoi(), Progress.NONE);

    assertThat(check.outcome(), is(Outcome.MISMATCH));
    assertThat(check.ok(), is(false));
    assertThat(check.problems(), contains(allOf(startsWith("territories.parquet: MISMATCH"), containsString("md5:" + "0".repeat(32)))));
  }

  @Test void aWrongChecksumOnUploadStopsBeforePublishing() {
    server.wrongChecksum("provinces.parquet");
    ZenodoException e = assertThrows(ZenodoException.class, () -> zenodo.publish(release("1.0.0", 1), null, Progress.NONE));
    assertThat(e.getMessage(), allOf(containsString("provinces.parquet"), containsString("damaged"), containsString("draft is left at "
        + server.baseUrl() + "/deposit/")));
    assertThat(server.requests().stream().map(Request::path).toList(), not(hasItem(endsWith("/actions/publish"))));
  }

  @Test void aRefusedTokenNamesTheVariableToFix() {
    ZenodoDeposit wrong = client("not-the-token", null);
    ZenodoException e = assertThrows(ZenodoException.class, () -> wrong.publish(release("1.0.0", 1), null, Progress.NONE));
    assertThat(e.status(), is(401));
    assertThat(e.getMessage(), allOf(containsString("ZENODO_TOKEN"), containsString("deposit:write"), not(containsString("not-the-token"))));
    assertThat(server.requests(), hasSize(1));
    assertThat(waits, empty());
  }

  @Test void rateLimitsAndUnavailabilityAreRetriedAfterRetryAfter() {
    server.failNext(2, 429, "7");
    ZenodoResult r = zenodo.publish(release("1.0.0", 1), null, Progress.NONE);
    assertThat(r.outcome(), is(Outcome.PUBLISHED));
    assertThat(waits, contains(Duration.ofSeconds(7), Duration.ofSeconds(7)));

    waits.clear();
    server.failNext(1, 503, "2");
    zenodo.publish(release("2.0.0", 2), null, Progress.NONE);
    assertThat(waits, contains(Duration.ofSeconds(2)));

    waits.clear();
    server.failNext(1, 503, "3600"); // capped
    zenodo.publish(release("3.0.0", 3), null, Progress.NONE);
    assertThat(waits, contains(Duration.ofSeconds(30)));

    waits.clear();
    server.failNext(1, 503, null); // no Retry-After: backoff
    zenodo.publish(release("4.0.0", 4), null, Progress.NONE);
    assertThat(waits, contains(Duration.ofSeconds(1)));
  }

  @Test void retriesAreBounded() {
    server.failNext(10, 503, "1");
    ZenodoException e = assertThrows(ZenodoException.class, () -> zenodo.publish(release("1.0.0", 1), null, Progress.NONE));
    assertThat(e.getMessage(), allOf(containsString("stayed busy"), containsString("HTTP 503"), containsString("4 attempts")));
    assertThat(waits, hasSize(3));
    assertThat(server.requests(), hasSize(4));
  }

  @Test void aFailedPublishSaysWhyAndWhereTheDraftIs() {
    server.failPublish(400, "{\"status\": 400, \"message\": \"Validation error.\", \"errors\": ["
        + "{\"field\": \"metadata.creators\", \"message\": \"Creators must be persons or organisations.\", \"code\": 10}]}");
    ZenodoException e = assertThrows(ZenodoException.class, () -> zenodo.publish(release("1.0.0", 1), null, Progress.NONE));
    assertThat(e.status(), is(400));
    assertThat(e.getMessage(), allOf(containsString("field metadata.creators: Creators must be persons or organisations."),
        containsString("publish deposition"), containsString("draft is left at " + server.baseUrl() + "/deposit/"),
        containsString("nothing was published")));

    server.failPublish(500, null);
    ZenodoException e500 = assertThrows(ZenodoException.class, () -> zenodo.publish(release("2.0.0", 2), null, Progress.NONE));
    assertThat(e500.getMessage(), allOf(containsString("server error"), containsString("HTTP 500"), containsString("draft is left at")));
  }

  @Test void validationErrorsOnTheMetadataNameTheField() {
    Release r = TestReleases.write(tmp.resolve("wtfpl"), "ca-provinces", "1.0.0", Map.of("a.parquet", 10), 1, "WTFPL");
    ZenodoException e = assertThrows(ZenodoException.class, () -> zenodo.publish(r, null, Progress.NONE));
    assertThat(e.getMessage(), allOf(containsString("field metadata.license: Invalid license provided: wtfpl"),
        containsString("set the metadata"), containsString("draft is left at")));
  }

  @Test void aRedirectToAnotherHostIsRefused() {
    ZenodoResult v1 = zenodo.publish(release("1.0.0", 1), null, Progress.NONE);
    server.redirectLatestTo(URI.create("http://localhost:9/api/records/1"));
    ZenodoException e = assertThrows(ZenodoException.class, () ->
        zenodo.publish(release("2.0.0", 2), new ZenodoDeposit.Recorded(null, v1.conceptDoi()), Progress.NONE));
    assertThat(e.getMessage(), containsString("refusing a redirect from " + HttpSend.origin(server.baseUrl()) + " to another host, http://localhost:9"));
  }

  private static List<String> textList(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
