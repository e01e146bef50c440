package org.d4c.publisher.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.d4c.manifests.lock.Manifest;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.archive.ArchiveResult.ArchiveFile;
import org.d4c.publisher.archive.ArchiveResult.State;
import org.d4c.publisher.mirror.HttpSend;
import org.d4c.publisher.mirror.Md5;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.mirror.ReleaseFile;
import org.d4c.publisher.mirror.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads a release to the Internet Archive as one item per dataset version through IAS3, the archive's S3-like API,
 * and verifies it later through the metadata API.
 *
 * <p>{@link #publish}: reads {@code /metadata/<item>}; a file listed there with the same MD5 is skipped; every other
 * file goes as {@code PUT <s3Endpoint>/<item>/<file>} with {@code authorization: LOW <access>:<secret>},
 * {@code Content-MD5} (the archive rejects damaged bytes with 400 BadDigest) and {@code x-archive-queue-derive: 0}
 * (data files need no derivatives). The first PUT into an item that does not exist yet also carries
 * {@code x-amz-auto-make-bucket: 1}, {@code x-archive-size-hint} and the item metadata as {@code x-archive-meta-*}
 * headers (mediatype {@code data}, title, description, licenseurl, date, version, collection, one numbered
 * {@code x-archive-metaNN-creator} per creator and {@code x-archive-metaNN-subject} per keyword); a value that is not
 * printable ASCII is sent as {@code uri(<percent-encoded UTF-8>)}, as IAS3 documents. 503 (SlowDown) and other 5xx
 * are retried with backoff (the server's Retry-After if any); a 4xx is never retried.
 *
 * <p>The archive ingests uploads asynchronously: a file just sent is reported {@link State#UPLOADED}, not verified.
 * {@link #verify} compares each file's MD5 with the metadata API's and asks the tasks API whether the item still has
 * tasks queued or running, which turns a missing or different file into {@link State#PENDING} rather than an error.
 */
public final class ArchiveUpload {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveUpload.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern XML_CODE = Pattern.compile("<Code>([^<]*)</Code>");
  private static final Pattern XML_MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");
  private static final int MAX_IDENTIFIER = 100;

  private final ArchiveConfig config;
  private final HttpClient http;
  private final Retry retry;

  public ArchiveUpload(ArchiveConfig config) {
    this(config, HttpSend.newClient(), Retry.standard());
  }

  /** @param http a client with {@code Redirect.NEVER} (see {@link HttpSend}) */
  public ArchiveUpload(ArchiveConfig config, HttpClient http, Retry retry) {
    this.config = Objects.requireNonNull(config, "config");
    this.http = HttpSend.requireNoRedirects(http);
    this.retry = Objects.requireNonNull(retry, "retry");
  }

  /**
   * The item identifier of a dataset version: {@code <prefix><dataset>-<version>} with every character outside
   * {@code A-Z a-z 0-9 . _ -} replaced by {@code _} (a semver build suffix {@code 1.0.0+b2} becomes {@code 1.0.0_b2}).
   * It starts with a letter or digit (the dataset id or the prefix does) and is at most 100 characters, the
   * archive's limit; a longer one is an error (shorten the prefix or the dataset id), never silently cut.
   */
  public static String itemIdentifier(String prefix, String dataset, String version) {
    String raw = (prefix == null ? "" : prefix) + dataset + "-" + version;
    String id = raw.replaceAll("[^A-Za-z0-9._-]", "_");
    if (!id.matches("[A-Za-z0-9].*")) {
      throw new IllegalArgumentException("Internet Archive item \"" + id + "\" must start with a letter or digit");
    }
    if (id.length() > MAX_IDENTIFIER) {
      throw new IllegalArgumentException("Internet Archive item \"" + id + "\" is " + id.length() + " characters, more than "
          + MAX_IDENTIFIER + ": shorten the item prefix or the dataset id");
    }
    return id;
  }

  /** This configuration's item for a release. */
  public String item(Release release) {
    return itemIdentifier(config.itemPrefix(), release.dataset(), release.version());
  }

  /** {@code <archiveUrl>/download/<item>/<file>}: where the archive serves a file to anyone. */
  public URI downloadUrl(String item, String file) {
    return URI.create(config.archiveUrl() + "/download/" + HttpSend.encodeSegment(item) + "/" + HttpSend.encodePath(file));
  }

  /** Uploads every file the item does not hold yet with the same MD5; see the class comment. */
  public ArchiveResult publish(Release release, Progress progress) {
    Objects.requireNonNull(release, "release");
    progress = progress == null ? Progress.NONE : progress;
    String item = item(release);
    Map<String, String> headers = itemHeaders(release); // fails on bad metadata before any request
    JsonNode meta = metadata(item);
    boolean exists = meta.has("metadata") || meta.has("created");
    Map<String, String> archived = archivedMd5(meta);
    long total = release.files().stream().mapToLong(ReleaseFile::size).sum();
    List<ArchiveFile> files = new ArrayList<>();
    for (ReleaseFile f : release.files()) {
      String md5 = Md5.ofFile(f.path(), "MD5 " + f.name(), progress);
      URI download = downloadUrl(item, f.name());
      String there = archived.get(f.name());
      if (md5.equals(there)) {
        files.add(new ArchiveFile(f.name(), md5, there, download, State.ALREADY_THERE, null));
        LOG.info("Internet Archive: {}/{} already there (md5 {})", item, f.name(), md5);
        continue;
      }
      if (there != null) LOG.warn("Internet Archive: {}/{} is there with md5 {}, local {}: replacing it", item, f.name(), there, md5);
      Map<String, String> h = new LinkedHashMap<>();
      if (!exists) {
        h.put("x-amz-auto-make-bucket", "1");
        h.put("x-archive-size-hint", Long.toString(total));
        h.putAll(headers);
      }
      put(item, f, md5, h, progress);
      exists = true;
      files.add(new ArchiveFile(f.name(), md5, there, download, State.UPLOADED,
          "accepted; the archive ingests it asynchronously: verify later"));
      LOG.info("Internet Archive: uploaded {}/{} ({} bytes, md5 {}); ingest pending", item, f.name(), f.size(), md5);
    }
    return new ArchiveResult(item, detailsUrl(item), files);
  }

  /** Compares each release file with what the archive's metadata lists now; see {@link State}. */
  public ArchiveResult verify(Release release, Progress progress) {
    Objects.requireNonNull(release, "release");
    progress = progress == null ? Progress.NONE : progress;
    String item = item(release);
    Map<String, String> archived = archivedMd5(metadata(item));
    Tasks tasks = null;
    List<ArchiveFile> files = new ArrayList<>();
    for (ReleaseFile f : release.files()) {
      String md5 = Md5.ofFile(f.path(), "MD5 " + f.name(), progress);
      String there = archived.get(f.name());
      URI download = downloadUrl(item, f.name());
      if (md5.equals(there)) {
        files.add(new ArchiveFile(f.name(), md5, there, download, State.OK, null));
        continue;
      }
      if (tasks == null) tasks = tasks(item);
      if (tasks.waiting() > 0) {
        files.add(new ArchiveFile(f.name(), md5, there, download, State.PENDING, (there == null ? "not listed yet" : "listed with md5 "
            + there) + "; " + tasks.waiting() + " task(s) queued or running on the item"));
      } else {
        String why = tasks.failed() > 0 ? "; the item has " + tasks.failed() + " failed task(s): see " + config.archiveUrl() + "/history/" + item : "";
        files.add(there == null
            ? new ArchiveFile(f.name(), md5, null, download, State.MISSING, "the archive does not list it and no task is queued" + why + "; publish again")
            : new ArchiveFile(f.name(), md5, there, download, State.MISMATCH, "the archive has md5 " + there + ", local " + md5 + why + "; publish again to replace it"));
      }
    }
    ArchiveResult result = new ArchiveResult(item, detailsUrl(item), files);
    if (!result.problems().isEmpty()) LOG.warn("Internet Archive: {} differs from the release: {}", item, result.problems());
    return result;
  }

  private URI detailsUrl(String item) {
    return URI.create(config.archiveUrl() + "/details/" + HttpSend.encodeSegment(item));
  }

  // ------------------------------------------------------------------------------------------------ metadata

  /** The x-archive-meta-* headers of a new item, sorted by name. */
  Map<String, String> itemHeaders(Release release) {
    Manifest m = release.manifest();
    JsonNode recipe = m.recipe();
    Map<String, String> h = new TreeMap<>();
    h.put("x-archive-meta-mediatype", "data");
    h.put("x-archive-meta-title", headerValue(m.title()));
    String description = recipe == null ? "" : recipe.path("description").asText("").trim();
    if (!description.isEmpty()) h.put("x-archive-meta-description", headerValue(description));
    String license = m.license() == null ? null : m.license().trim();
    String url = licenseUrl(license);
    if (url != null) h.put("x-archive-meta-licenseurl", url);
    else if (license != null && !license.isEmpty()) h.put("x-archive-meta-rights", headerValue(license));
    String date = recipe == null ? "" : recipe.path("datetime").asText(recipe.path("start_datetime").asText(""));
    if (!date.isEmpty()) h.put("x-archive-meta-date", headerValue(date));
    h.put("x-archive-meta-version", headerValue(m.version()));
    if (config.collection() != null) h.put("x-archive-meta-collection", headerValue(config.collection()));
    List<String> creators = new ArrayList<>();
    if (recipe != null) {
      for (JsonNode p : recipe.path("providers")) {
        List<String> roles = new ArrayList<>();
        p.path("roles").forEach(r -> roles.add(r.asText()));
        if (!roles.isEmpty() && roles.stream().allMatch("host"::equals)) continue;
        String name = p.path("name").asText("").trim();
        if (!name.isEmpty()) creators.add(name);
      }
    }
    numbered(h, "creator", creators);
    TreeSet<String> subjects = new TreeSet<>();
    if (recipe != null) recipe.path("keywords").forEach(k -> subjects.add(k.asText()));
    numbered(h, "subject", new ArrayList<>(subjects));
    return h;
  }

  private static void numbered(Map<String, String> h, String field, List<String> values) {
    if (values.size() > 99) throw new ArchiveException("more than 99 values of " + field + " for the archive's numbered headers");
    for (int i = 0; i < values.size(); i++) {
      h.put(String.format(Locale.ROOT, "x-archive-meta%02d-%s", i + 1, field), headerValue(values.get(i)));
    }
  }

  /** The value as is when it is printable ASCII without edge spaces, else {@code uri(<percent-encoded UTF-8>)}. */
  static String headerValue(String v) {
    boolean plain = !v.isEmpty() && v.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && v.equals(v.trim())
        && !v.startsWith("uri(");
    return plain ? v : "uri(" + HttpSend.encodeSegment(v) + ")";
  }

  /** A license URL for the archive's licenseurl field, for the common SPDX ids; null for an expression. */
  static String licenseUrl(String spdx) {
    if (spdx == null || spdx.isEmpty() || !spdx.matches("[A-Za-z0-9][A-Za-z0-9.+-]*")) return null;
    Matcher cc = Pattern.compile("(?i)CC-(BY(?:-SA|-ND|-NC|-NC-SA|-NC-ND)?)-(\\d\\.\\d)").matcher(spdx);
    if (cc.matches()) return "https://creativecommons.org/licenses/" + cc.group(1).toLowerCase(Locale.ROOT) + "/" + cc.group(2) + "/";
    return switch (spdx.toUpperCase(Locale.ROOT)) {
      case "CC0-1.0" -> "https://creativecommons.org/publicdomain/zero/1.0/";
      case "ODBL-1.0" -> "https://opendatacommons.org/licenses/odbl/1-0/";
      case "ODC-BY-1.0" -> "https://opendatacommons.org/licenses/by/1-0/";
      case "PDDL-1.0" -> "https://opendatacommons.org/licenses/pddl/1-0/";
      case "OGL-CANADA-2.0" -> "https://open.canada.ca/en/open-government-licence-canada";
      default -> "https://spdx.org/licenses/" + spdx + ".html";
    };
  }

  // ------------------------------------------------------------------------------------------------ HTTP

  private JsonNode metadata(String item) {
    URI uri = URI.create(config.archiveUrl() + "/metadata/" + HttpSend.encodeSegment(item));
    HttpResponse<String> r = send("GET", uri, null, Map.of(), false, "read the metadata of item " + item);
    try {
      JsonNode n = JSON.readTree(r.body());
      return n == null ? JSON.createObjectNode() : n;
    } catch (JsonProcessingException e) {
      throw new ArchiveException("the archive's metadata of item " + item + " is not JSON: " + snippet(r.body()));
    }
  }

  private static Map<String, String> archivedMd5(JsonNode meta) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode f : meta.path("files")) {
      if (f.has("name") && f.has("md5")) out.put(f.path("name").asText(), f.path("md5").asText().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private record Tasks(long queued, long running, long failed) {
    long waiting() {
      return queued + running;
    }
  }

  private Tasks tasks(String item) {
    URI uri = URI.create(config.archiveUrl() + "/services/tasks.php?identifier=" + HttpSend.encodeSegment(item)
        + "&summary=1&history=0&catalog=0");
    HttpResponse<String> r = send("GET", uri, null, Map.of(), true, "read the task summary of item " + item);
    try {
      JsonNode s = JSON.readTree(r.body()).path("value").path("summary");
      return new Tasks(s.path("queued").asLong(), s.path("running").asLong(), s.path("error").asLong() + s.path("paused").asLong());
    } catch (JsonProcessingException e) {
      throw new ArchiveException("the archive's task summary of item " + item + " is not JSON: " + snippet(r.body()));
    }
  }

  private void put(String item, ReleaseFile f, String md5, Map<String, String> extra, Progress progress) {
    URI uri = URI.create(config.s3Endpoint() + "/" + HttpSend.encodeSegment(item) + "/" + HttpSend.encodePath(f.name()));
    Map<String, String> h = new LinkedHashMap<>(extra);
    h.put("Content-MD5", Md5.base64(md5));
    h.put("Content-Type", f.mediaType() == null ? "application/octet-stream" : f.mediaType());
    h.put("x-archive-queue-derive", "0");
    progress.begin("Internet Archive " + f.name(), f.size());
    try {
      send("PUT", uri, () -> BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> {
        try {
          return new Md5.Counting(Files.newInputStream(f.path()), progress);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + f.path() + ": " + e.getMessage(), e);
        }
      }), f.size()), h, true, "upload " + f.name() + " to item " + item);
    } finally {
      progress.end();
    }
  }

  private HttpResponse<String> send(String method, URI uri, java.util.function.Supplier<HttpRequest.BodyPublisher> body,
      Map<String, String> headers, boolean auth, String what) {
    if (!HttpSend.sameOrigin(uri, config.s3Endpoint()) && !HttpSend.sameOrigin(uri, config.archiveUrl())) {
      throw new ArchiveException("refusing to " + what + " at " + HttpSend.origin(uri) + ": not a configured Internet Archive endpoint");
    }
    for (int attempt = 1; ; attempt++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, body == null ? BodyPublishers.noBody() : body.get());
      headers.forEach(b::header);
      if (auth) b.header("authorization", "LOW " + config.accessKey() + ":" + config.secretKey());
      HttpResponse<String> r;
      try {
        r = HttpSend.send(http, b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        if (retry.canRetry(attempt)) {
          Duration d = retry.delay(attempt, Optional.empty());
          LOG.warn("Internet Archive: could not {} ({}); retrying in {} (attempt {} of {})", what, scrub(e.getMessage()),
              Retry.seconds(d), attempt + 1, retry.maxAttempts());
          retry.pause(d);
          continue;
        }
        throw new ArchiveException("Internet Archive: could not " + what + " (" + method + " " + uri + "): " + scrub(e.getMessage())
            + " after " + attempt + " attempts");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ArchiveException("interrupted while trying to " + what);
      }
      int s = r.statusCode();
      if (s >= 200 && s < 300) return r;
      String code = first(XML_CODE, r.body());
      String message = first(XML_MESSAGE, r.body());
      String server = "HTTP " + s + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message);
      server = scrub(server);
      if (s >= 500 && retry.canRetry(attempt)) {
        Duration d = retry.delay(attempt, Retry.retryAfter(r));
        LOG.warn("Internet Archive: {} to {}; retrying in {} (attempt {} of {})", server, what, Retry.seconds(d), attempt + 1, retry.maxAttempts());
        retry.pause(d);
        continue;
      }
      String where = " (" + method + " " + uri + ")";
      if (s >= 500) {
        throw new ArchiveException("Internet Archive stayed unavailable: " + server + " to " + what + where + " after " + attempt
            + " attempts; try again later (uploads already accepted are kept).", s);
      }
      if (s == 401 || s == 403) {
        throw new ArchiveException("Internet Archive refused to " + what + where + ": " + server + ". Check the IAS3 keys in "
            + config.accessKeyEnv() + " and " + config.secretKeyEnv() + " (https://archive.org/account/s3.php); if they are "
            + "right, the item may belong to another account: set an item prefix of your own.", s);
      }
      throw new ArchiveException("Internet Archive rejected the request to " + what + where + ": " + server
          + (s == 400 && "BadDigest".equals(code) ? ". The bytes arrived damaged or the file changed while uploading; publish again." : "."), s);
    }
  }

  private static String first(Pattern p, String body) {
    if (body == null) return null;
    Matcher m = p.matcher(body);
    return m.find() ? m.group(1).trim() : null;
  }

  private String scrub(String s) {
    if (s == null) return "";
    return s.replace(config.secretKey(), "***").replace(config.accessKey(), "***");
  }

  private String snippet(String body) {
    String s = scrub(body == null ? "" : body).replaceAll("\\s+", " ").trim();
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
