package org.d4c.publisher.zenodo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.mirror.HttpSend;
import org.d4c.publisher.mirror.Md5;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.mirror.ReleaseFile;
import org.d4c.publisher.mirror.Retry;
import org.d4c.publisher.zenodo.ZenodoResult.Outcome;
import org.d4c.publisher.zenodo.ZenodoResult.State;
import org.d4c.publisher.zenodo.ZenodoResult.ZenodoFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deposits a release on Zenodo through its REST deposit API (developers.zenodo.org), and checks one already there.
 *
 * <p>{@link #publish}: for a first version {@code POST /api/deposit/depositions}; for a later version
 * {@code GET /api/records/<concept>/versions/latest}, {@code POST .../depositions/<latest>/actions/newversion},
 * {@code GET links.latest_draft} and a {@code DELETE .../files/<id>} for each file the draft inherited. Then
 * {@code PUT <links.bucket>/<name>} per file (MD5 computed while the bytes go out and compared with the
 * {@code checksum: "md5:…"} Zenodo answers), {@code PUT .../depositions/<id>} with {@code {"metadata": …}}
 * ({@link ZenodoMetadata}), {@code POST .../actions/publish}, and {@code GET /api/records/<id>} for the DOIs, the
 * stored checksums and the download URLs.
 *
 * <p>Idempotent: given the DOI already recorded for this version, it creates nothing and compares checksums; given
 * the concept DOI, a latest version whose {@code version} equals the release's is checked the same way instead of
 * being versioned again.
 *
 * <p>The token goes only in an {@code Authorization: Bearer} header (never the {@code access_token} query
 * parameter), only to the configured host (a link or redirect to another host is refused), and never into a message
 * or log line. 429, 502, 503 and 504 are retried after the server's {@code Retry-After} (or backoff), bounded by
 * {@link Retry}; a network error is retried for GET, PUT and DELETE only.
 */
public final class ZenodoDeposit {
  private static final Logger LOG = LoggerFactory.getLogger(ZenodoDeposit.class);
  private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final Pattern RECORD_ID = Pattern.compile("(?i)^(?:(?:https?://(?:dx\\.)?doi\\.org/)?10\\.\\d{4,9}/zenodo\\.)?(\\d{1,18})$");

  private final ZenodoConfig config;
  private final HttpClient http;
  private final Retry retry;

  /**
   * What earlier publishing recorded for this dataset (both may be null).
   *
   * @param versionDoi the DOI recorded for THIS version (then nothing is created: the record is checked)
   * @param concept the concept DOI (or concept record id) of the dataset, from an earlier version: the release
   *     becomes a new version of it
   */
  public record Recorded(String versionDoi, String concept) {
    public static final Recorded NONE = new Recorded(null, null);
  }

  public ZenodoDeposit(ZenodoConfig config) {
    this(config, HttpSend.newClient(), Retry.standard());
  }

  /** @param http a client with {@code Redirect.NEVER} (see {@link HttpSend}) */
  public ZenodoDeposit(ZenodoConfig config, HttpClient http, Retry retry) {
    this.config = Objects.requireNonNull(config, "config");
    this.http = HttpSend.requireNoRedirects(http);
    this.retry = Objects.requireNonNull(retry, "retry");
  }

  /** Publishes {@code release} (or checks it, see {@link Recorded}); progress per file, bytes. */
  public ZenodoResult publish(Release release, Recorded recorded, Progress progress) {
    Objects.requireNonNull(release, "release");
    recorded = recorded == null ? Recorded.NONE : recorded;
    progress = progress == null ? Progress.NONE : progress;
    Map<String, Object> metadata = ZenodoMetadata.of(release.manifest(), config); // fails before any request
    if (recorded.versionDoi() != null) {
      long id = recordId(recorded.versionDoi(), "the recorded version DOI");
      JsonNode record = getJson(api("/api/records/" + id), "read record " + id + " (recorded for version " + release.version() + ")");
      LOG.info("Zenodo: {} {} was published before as {}; checking its files", release.dataset(), release.version(), record.path("doi").asText("record " + id));
      return compare(release, record, localMd5(release, progress), Outcome.ALREADY_THERE);
    }

    JsonNode draft;
    if (recorded.concept() != null) {
      long concept = recordId(recorded.concept(), "the concept DOI");
      JsonNode latest = getJson(api("/api/records/" + concept + "/versions/latest"),
          "find the latest version of concept record " + concept);
      if (release.version().equals(latest.path("metadata").path("version").asText(null))) {
        LOG.info("Zenodo: the latest version of concept {} is already {} ({}); checking its files", concept,
            release.version(), latest.path("doi").asText(""));
        return compare(release, latest, localMd5(release, progress), Outcome.ALREADY_THERE);
      }
      long latestId = latest.path("id").asLong(-1);
      if (latestId < 0) throw new ZenodoException("Zenodo's latest version of concept record " + concept + " has no id");
      JsonNode original = json(exchange("POST", api("/api/deposit/depositions/" + latestId + "/actions/newversion"), null,
          null, "make a new version of record " + latestId, Set.of(200, 201)), "newversion");
      URI draftUrl = link(original, "latest_draft", "the new version of record " + latestId);
      draft = getJson(draftUrl, "read the new-version draft");
      long draftId = draft.path("id").asLong();
      for (JsonNode f : draft.path("files")) {
        String fileId = f.path("id").asText();
        exchange("DELETE", api("/api/deposit/depositions/" + draftId + "/files/" + HttpSend.encodeSegment(fileId)), null, null,
            "remove the file " + f.path("filename").asText(fileId) + " the draft inherited from the previous version", Set.of(200, 204));
      }
      LOG.info("Zenodo: new version draft {} of concept {} ({} inherited files removed)", draftId, concept, draft.path("files").size());
    } else {
      draft = json(exchange("POST", api("/api/deposit/depositions"), () -> BodyPublishers.ofString("{}"), "application/json",
          "create a deposition", Set.of(201)), "create");
      LOG.info("Zenodo: created deposition {}", draft.path("id").asText());
    }

    long id = draft.path("id").asLong(-1);
    if (id < 0) throw new ZenodoException("Zenodo answered without a deposition id; nothing was uploaded");
    String draftAt = draft.path("links").path("html").asText(api("/api/deposit/depositions/" + id).toString());
    Map<String, String> md5;
    try {
      URI bucket = link(draft, "bucket", "deposition " + id);
      md5 = upload(release, bucket, progress);
      exchange("PUT", api("/api/deposit/depositions/" + id), () -> BodyPublishers.ofString(write(Map.of("metadata", metadata))),
          "application/json", "set the metadata of deposition " + id, Set.of(200));
    } catch (ZenodoException e) {
      throw new ZenodoException(e.getMessage() + " The unpublished draft is left at " + draftAt
          + " for inspection; delete it there, or run publish again.", e.status(), e);
    }

    JsonNode published;
    try {
      URI publish = draft.path("links").has("publish") ? link(draft, "publish", "deposition " + id)
          : api("/api/deposit/depositions/" + id + "/actions/publish");
      published = json(exchange("POST", publish, null, null, "publish deposition " + id, Set.of(200, 202)), "publish");
    } catch (ZenodoException e) {
      throw new ZenodoException(e.getMessage() + " The files are uploaded and the metadata set, but nothing was published: "
          + "the draft is left at " + draftAt + " for inspection; fix what is named above and publish it there, or discard "
          + "it and run publish again.", e.status(), e);
    }
    long recordId = published.path("record_id").asLong(published.path("id").asLong());
    LOG.info("Zenodo: published {} {} as {} (concept {})", release.dataset(), release.version(),
        published.path("doi").asText("?"), published.path("conceptdoi").asText("?"));
    JsonNode record = getJson(api("/api/records/" + recordId), "read the published record " + recordId);
    return compare(release, record, md5, Outcome.PUBLISHED);
  }

  /** Checks a published version by its DOI or record id without changing anything. */
  public ZenodoResult verify(Release release, String versionDoi, Progress progress) {
    return publish(release, new Recorded(Objects.requireNonNull(versionDoi, "versionDoi"), null), progress);
  }

  // ---------------------------------------------------------------------------------------------------- files

  private Map<String, String> upload(Release release, URI bucket, Progress progress) {
    Map<String, String> md5 = new LinkedHashMap<>();
    for (ReleaseFile f : release.files()) {
      URI target = URI.create(bucket + "/" + HttpSend.encodePath(f.name()));
      AtomicReference<MessageDigest> digest = new AtomicReference<>();
      AtomicReference<Md5.Counting> counter = new AtomicReference<>();
      progress.begin("Zenodo " + f.name(), f.size());
      HttpResponse<String> r;
      try {
        Supplier<BodyPublisher> body = () -> BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> {
          try {
            MessageDigest md = Md5.digest();
            digest.set(md);
            Md5.Counting c = new Md5.Counting(Files.newInputStream(f.path()), progress);
            counter.set(c);
            return new DigestInputStream(c, md);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f.path() + ": " + e.getMessage(), e);
          }
        }), f.size());
        r = exchange("PUT", target, body, "application/octet-stream", "upload " + f.name(), Set.of(200, 201));
      } finally {
        progress.end();
      }
      if (counter.get() == null || counter.get().count() != f.size()) {
        throw new ZenodoException("upload of " + f.name() + " sent " + (counter.get() == null ? 0 : counter.get().count())
            + " bytes but the file has " + f.size() + " (" + f.path() + " changed while uploading?)");
      }
      String local = HexFormat.of().formatHex(digest.get().digest());
      String remote = md5Of(json(r, "upload").path("checksum").asText(null));
      if (!local.equals(remote)) {
        throw new ZenodoException("Zenodo stored " + f.name() + " with checksum md5:" + remote + " but the local file has md5:"
            + local + ": the upload was damaged on the way.");
      }
      LOG.info("Zenodo: uploaded {} ({} bytes, md5 {})", f.name(), f.size(), local);
      md5.put(f.name(), local);
    }
    return md5;
  }

  private static Map<String, String> localMd5(Release release, Progress progress) {
    Map<String, String> md5 = new LinkedHashMap<>();
    for (ReleaseFile f : release.files()) md5.put(f.name(), Md5.ofFile(f.path(), "MD5 " + f.name(), progress));
    return md5;
  }

  /** The result of comparing a record's files with the local MD5s. */
  private ZenodoResult compare(Release release, JsonNode record, Map<String, String> localMd5, Outcome good) {
    Map<String, JsonNode> remote = new TreeMap<>();
    for (JsonNode f : record.path("files")) {
      String key = f.has("key") ? f.path("key").asText() : f.path("filename").asText();
      remote.put(key, f);
    }
    List<ZenodoFile> files = new ArrayList<>();
    boolean allGood = true;
    for (ReleaseFile f : release.files()) {
      JsonNode r = remote.remove(f.name());
      String local = localMd5.get(f.name());
      if (r == null) {
        files.add(new ZenodoFile(f.name(), f.size(), null, null, State.MISSING, "not in the Zenodo record"));
        allGood = false;
        continue;
      }
      String md5 = md5Of(r.path("checksum").asText(null));
      long size = r.has("size") ? r.path("size").asLong() : r.path("filesize").asLong();
      URI url = download(r);
      if (local.equals(md5) && size == f.size()) {
        files.add(new ZenodoFile(f.name(), size, md5, url, good == Outcome.PUBLISHED ? State.UPLOADED : State.ALREADY_THERE, null));
      } else {
        files.add(new ZenodoFile(f.name(), size, md5, url, State.MISMATCH,
            "Zenodo has md5:" + md5 + ", " + size + " bytes; the local file has md5:" + local + ", " + f.size() + " bytes"));
        allGood = false;
      }
    }
    for (Map.Entry<String, JsonNode> extra : remote.entrySet()) {
      JsonNode r = extra.getValue();
      files.add(new ZenodoFile(extra.getKey(), r.path("size").asLong(r.path("filesize").asLong()), md5Of(r.path("checksum").asText(null)),
          download(r), State.EXTRA, "in the Zenodo record but not in this release"));
      allGood = false;
    }
    long recordId = record.path("id").asLong(record.path("record_id").asLong());
    URI html = record.path("links").has("html") ? URI.create(record.path("links").path("html").asText()) : null;
    ZenodoResult result = new ZenodoResult(allGood ? good : Outcome.MISMATCH, recordId, record.path("doi").asText(null),
        record.path("conceptrecid").asLong(0), record.path("conceptdoi").asText(null), html, files);
    if (!allGood) LOG.warn("Zenodo: record {} differs from the release: {}", recordId, result.problems());
    return result;
  }

  private static URI download(JsonNode file) {
    JsonNode links = file.path("links");
    String u = links.has("self") ? links.path("self").asText() : links.path("download").asText(null);
    return u == null ? null : URI.create(u);
  }

  static String md5Of(String checksum) {
    if (checksum == null) return null;
    return checksum.startsWith("md5:") ? checksum.substring(4) : checksum;
  }

  /** A record id from a Zenodo DOI (10.5281/zenodo.123, https://doi.org/…), or from the id itself. */
  public static long recordId(String doiOrId, String what) {
    Matcher m = RECORD_ID.matcher(doiOrId.trim());
    if (!m.matches()) {
      throw new ZenodoException(what + " \"" + doiOrId + "\" is neither a Zenodo DOI (10.5281/zenodo.<id>) nor a record id");
    }
    return Long.parseLong(m.group(1));
  }

  // ---------------------------------------------------------------------------------------------------- HTTP

  private URI api(String path) {
    return URI.create(config.baseUrl() + path);
  }

  private URI link(JsonNode deposition, String name, String what) {
    String u = deposition.path("links").path(name).asText(null);
    if (u == null) throw new ZenodoException("Zenodo's answer for " + what + " has no links." + name);
    return config.baseUrl().resolve(u);
  }

  private JsonNode getJson(URI uri, String what) {
    return json(exchange("GET", uri, null, null, what, Set.of(200)), what);
  }

  private JsonNode json(HttpResponse<String> r, String what) {
    String body = r.body();
    if (body == null || body.isBlank()) return MissingNode.getInstance();
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ZenodoException("Zenodo's answer to " + what + " (" + HttpSend.path(r.uri()) + ") is not JSON: " + snippet(body));
    }
  }

  private static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> exchange(String method, URI uri, Supplier<BodyPublisher> body, String contentType,
      String what, Set<Integer> expected) {
    if (!HttpSend.sameOrigin(config.baseUrl(), uri)) {
      throw new ZenodoException("Zenodo pointed " + what + " to another host (" + HttpSend.origin(uri) + ", configured "
          + config.baseUrl() + "); refusing to send the token there");
    }
    for (int attempt = 1; ; attempt++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri)
          .header("Authorization", "Bearer " + config.token())
          .header("Accept", "application/json")
          .method(method, body == null ? BodyPublishers.noBody() : body.get());
      if (contentType != null) b.header("Content-Type", contentType);
      HttpResponse<String> r;
      try {
        r = HttpSend.send(http, b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException | UncheckedIOException e) {
        boolean idempotent = !method.equals("POST");
        if (idempotent && retry.canRetry(attempt) && !(e instanceof UncheckedIOException)) {
          Duration d = retry.delay(attempt, Optional.empty());
          LOG.warn("Zenodo: {} ({} {}) failed: {}; retrying in {} (attempt {} of {})", what, method, HttpSend.path(uri),
              scrub(e.getMessage()), Retry.seconds(d), attempt + 1, retry.maxAttempts());
          retry.pause(d);
          continue;
        }
        throw new ZenodoException("Zenodo: could not " + what + " (" + method + " " + uri + "): " + scrub(e.getMessage()), 0, null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ZenodoException("interrupted while trying to " + what);
      }
      int s = r.statusCode();
      if (expected.contains(s)) return r;
      boolean busy = s == 429 || s == 502 || s == 503 || s == 504;
      if (busy && retry.canRetry(attempt)) {
        Duration d = retry.delay(attempt, Retry.retryAfter(r));
        LOG.warn("Zenodo: HTTP {} to {} ({} {}); retrying in {} (attempt {} of {})", s, what, method, HttpSend.path(uri),
            Retry.seconds(d), attempt + 1, retry.maxAttempts());
        retry.pause(d);
        continue;
      }
      throw error(s, r, method, uri, what, busy ? attempt : 0);
    }
  }

  private ZenodoException error(int status, HttpResponse<String> r, String method, URI uri, String what, int attempts) {
    String message = null;
    List<String> details = new ArrayList<>();
    try {
      JsonNode body = JSON.readTree(r.body() == null ? "" : r.body());
      if (body != null) {
        message = body.path("message").asText(null);
        for (JsonNode e : body.path("errors")) {
          String field = e.path("field").asText(null);
          String m = e.path("message").isArray() ? join(e.path("message")) : e.path("message").asText("");
          details.add(field == null ? m : "field " + field + ": " + m);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      message = r.body() == null || r.body().isBlank() ? null : snippet(r.body());
    }
    String server = "HTTP " + status + (message == null ? "" : " " + message) + (details.isEmpty() ? "" : ": " + String.join("; ", details));
    server = scrub(server);
    String where = " (" + method + " " + uri + ")";
    String text;
    if (status == 401 || status == 403) {
      text = "Zenodo refused the token when trying to " + what + where + ": " + server + ". Check the personal access token in "
          + "the environment variable " + config.tokenEnv() + ": it must be made on " + config.baseUrl()
          + " (sandbox and production tokens differ) with the deposit:write and deposit:actions scopes.";
    } else if (attempts > 0) {
      text = "Zenodo stayed busy: " + server + " to " + what + where + ", " + attempts + " attempts; try again later.";
    } else if (status >= 500) {
      text = "Zenodo failed with a server error when trying to " + what + where + ": " + server + ". Try again later.";
    } else if (status == 400) {
      text = "Zenodo rejected the request to " + what + where + ": " + server + ". The metadata comes from the recipe "
          + "(title, description, license, keywords, providers) and the mirror settings (community, creators).";
    } else {
      text = "Zenodo could not " + what + where + ": " + server + ".";
    }
    return new ZenodoException(text, status, null);
  }

  private static String join(JsonNode array) {
    List<String> parts = new ArrayList<>();
    array.forEach(n -> parts.add(n.asText()));
    return String.join(", ", parts);
  }

  private String scrub(String s) {
    if (s == null) return "";
    String t = config.token();
    return t == null || t.isEmpty() ? s : s.replace(t, "***");
  }

  private String snippet(String body) {
    String s = scrub(body).replaceAll("\\s+", " ").trim();
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
