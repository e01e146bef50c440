package org.d4c.publisher.zenodo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for Zenodo's REST deposit API, for tests. <b>It follows the published API documentation
 * (developers.zenodo.org: deposit, deposit files, deposit actions, files (buckets), records; status codes and error
 * responses) and is NOT the real service</b>: no real Zenodo runs in CI, so the real service is not exercised by these
 * tests.
 *
 * <p>What it implements, in memory, on 127.0.0.1 with a free port: {@code POST/GET/PUT /api/deposit/depositions[/id]}
 * (JSON bodies, 415 without {@code Content-Type: application/json}), {@code GET .../files},
 * {@code DELETE .../files/<file_id>} (403 once published), {@code POST .../actions/publish} (202, registers
 * {@code 10.5072/zenodo.<id>} — the sandbox's test prefix) and {@code .../actions/newversion} (201 with the ORIGINAL
 * deposition, {@code links.latest_draft} pointing at a draft that inherits the files and metadata; one draft at a
 * time), {@code PUT /api/files/<bucket>/<key>} (201 with {@code checksum: "md5:…"}; 403 once published),
 * {@code GET /api/records/<id>}, {@code GET /api/records/<id>/versions/latest} (302 to the latest record; a concept id
 * works too, like a concept record id on Zenodo) and {@code GET /api/records/<id>/files/<key>/content}. Errors are
 * {@code {"status": …, "message": …, "errors": [{"field": …, "message": …}]}}. Deposit and file calls need
 * {@code Authorization: Bearer <token>} once {@link #requireToken} is set (401 otherwise).
 *
 * <p>Knobs: {@link #failNext} (429/503 with Retry-After), {@link #failPublish}, {@link #wrongChecksum},
 * {@link #corruptRecordFile}, {@link #redirectLatestTo}; {@link #requests()} records every request.
 */
public final class ZenodoContractServer implements AutoCloseable {
  public static final String DOI_PREFIX = "10.5072/zenodo.";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TIME = "2024-01-01T00:00:00.000000+00:00";
  private static final Set<String> LICENSES = Set.of("cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "odbl-1.0", "odc-by-1.0",
      "pddl-1.0", "mit", "apache-2.0", "ogl-canada-2.0", "cc-by-nc-4.0");
  private static final Set<String> UPLOAD_TYPES = Set.of("publication", "poster", "presentation", "dataset", "image",
      "video", "software", "lesson", "physicalobject", "other");

  /** One request as received. */
  public record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override public String toString() {
      return method + " " + path + (query == null ? "" : "?" + query);
    }
  }

  private static final class StoredFile {
    final String id;
    final String key;
    final byte[] data;
    String md5;

    StoredFile(String id, String key, byte[] data) {
      this.id = id;
      this.key = key;
      this.data = data;
      this.md5 = md5(data);
    }
  }

  private static final class Deposition {
    final long id;
    final long concept;
    final String bucket;
    final TreeMap<String, StoredFile> files = new TreeMap<>();
    ObjectNode metadata = JSON.createObjectNode();
    boolean submitted;

    Deposition(long id, long concept, String bucket) {
      this.id = id;
      this.concept = concept;
      this.bucket = bucket;
    }
  }

  private final HttpServer server;
  private final URI base;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<Long, Deposition> depositions = new TreeMap<>();
  private final Map<String, Deposition> buckets = new TreeMap<>();
  private final Map<Long, Long> draftOfConcept = new TreeMap<>();
  private long nextId = 1000;
  private int fileCounter;
  private String token;
  private int failCount;
  private int failStatus;
  private String failRetryAfter;
  private int publishFailStatus;
  private String publishFailBody;
  private final Set<String> wrongChecksum = new HashSet<>();
  private URI latestRedirect;

  private ZenodoContractServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  public static ZenodoContractServer start() {
    try {
      return new ZenodoContractServer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>}, the value for the Zenodo URL. */
  public URI baseUrl() {
    return base;
  }

  @Override public void close() {
    server.stop(0);
  }

  /** From now on deposit and file calls need {@code Authorization: Bearer <token>}. */
  public synchronized ZenodoContractServer requireToken(String token) {
    this.token = token;
    return this;
  }

  /** The next {@code n} requests (any) fail with {@code status} and, if not null, {@code Retry-After: retryAfter}. */
  public synchronized ZenodoContractServer failNext(int n, int status, String retryAfter) {
    failCount = n;
    failStatus = status;
    failRetryAfter = retryAfter;
    return this;
  }

  /** The next publish action fails with this status and JSON body. */
  public synchronized ZenodoContractServer failPublish(int status, String body) {
    publishFailStatus = status;
    publishFailBody = body;
    return this;
  }

  /** Uploads of this key answer a checksum that is not the md5 of the bytes received. */
  public synchronized ZenodoContractServer wrongChecksum(String key) {
    wrongChecksum.add(key);
    return this;
  }

  /** Changes the checksum a published record reports for one file, as if the stored bytes were damaged. */
  public synchronized void corruptRecordFile(long recordId, String key) {
    depositions.get(recordId).files.get(key).md5 = "0".repeat(32);
  }

  /** {@code /versions/latest} answers a redirect to this absolute URL (to test that other hosts are refused). */
  public synchronized void redirectLatestTo(URI target) {
    latestRedirect = target;
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public void clearRequests() {
    requests.clear();
  }

  /** The deposition JSON as the API would return it, for assertions. */
  public synchronized JsonNode deposition(long id) {
    return depositionJson(depositions.get(id));
  }

  /** The file keys of a deposition, sorted. */
  public synchronized List<String> fileKeys(long id) {
    return List.copyOf(depositions.get(id).files.keySet());
  }

  // --------------------------------------------------------------------------------------------- handling

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, List<String>> headers = new TreeMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      Request req = new Request(ex.getRequestMethod(), path, query, headers, body);
      requests.add(req);
      Reply reply;
      synchronized (this) {
        reply = route(req);
      }
      reply.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      byte[] out = reply.body == null ? new byte[0] : reply.body;
      if (reply.body != null) ex.getResponseHeaders().add("Content-Type", reply.contentType);
      ex.sendResponseHeaders(reply.status, out.length == 0 ? -1 : out.length);
      if (out.length > 0) ex.getResponseBody().write(out);
    } catch (RuntimeException e) {
      e.printStackTrace();
      ex.sendResponseHeaders(500, -1);
    }
  }

  private static final class Reply {
    final int status;
    final byte[] body;
    final String contentType;
    final Map<String, String> headers = new LinkedHashMap<>();

    Reply(int status, byte[] body, String contentType) {
      this.status = status;
      this.body = body;
      this.contentType = contentType;
    }

    Reply header(String k, String v) {
      headers.put(k, v);
      return this;
    }
  }

  private static Reply json(int status, JsonNode node) {
    try {
      return new Reply(status, JSON.writeValueAsBytes(node), "application/json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Reply error(int status, String message, String... fieldMessages) {
    ObjectNode e = JSON.createObjectNode().put("status", status).put("message", message);
    if (fieldMessages.length > 0) {
      ArrayNode errors = e.putArray("errors");
      for (int i = 0; i + 1 < fieldMessages.length; i += 2) {
        errors.addObject().put("field", fieldMessages[i]).put("message", fieldMessages[i + 1]).put("code", 10);
      }
    }
    return json(status, e);
  }

  private static final Pattern DEPOSITION = Pattern.compile("/api/deposit/depositions/(\\d+)");
  private static final Pattern DEP_FILES = Pattern.compile("/api/deposit/depositions/(\\d+)/files");
  private static final Pattern DEP_FILE = Pattern.compile("/api/deposit/depositions/(\\d+)/files/([^/]+)");
  private static final Pattern ACTION = Pattern.compile("/api/deposit/depositions/(\\d+)/actions/(publish|newversion|edit|discard)");
  private static final Pattern BUCKET_PUT = Pattern.compile("/api/files/([^/]+)/(.+)");
  private static final Pattern RECORD = Pattern.compile("/api/records/(\\d+)");
  private static final Pattern LATEST = Pattern.compile("/api/records/(\\d+)/versions/latest");
  private static final Pattern CONTENT = Pattern.compile("/api/records/(\\d+)/files/(.+)/content");

  private Reply route(Request r) {
    if (failCount > 0) {
      failCount--;
      Reply busy = error(failStatus, failStatus == 429 ? "Too Many Requests" : "Service Unavailable");
      if (failRetryAfter != null) busy.header("Retry-After", failRetryAfter);
      return busy;
    }
    String p = r.path();
    Matcher m;
    if (p.startsWith("/api/deposit/") || p.startsWith("/api/files/")) {
      String auth = r.header("authorization");
      boolean queryToken = r.query() != null && r.query().contains("access_token=");
      if (token != null && !(("Bearer " + token).equals(auth) || (queryToken && r.query().contains("access_token=" + token)))) {
        return error(401, "The server could not verify that you are authorized to access the URL requested. You either "
            + "supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the "
            + "credentials required.");
      }
    }
    String method = r.method();
    if (p.equals("/api/deposit/depositions") && method.equals("POST")) return create(r);
    if ((m = DEPOSITION.matcher(p)).matches()) {
      Deposition d = depositions.get(Long.parseLong(m.group(1)));
      if (d == null) return error(404, "Deposition not found");
      if (method.equals("GET")) return json(200, depositionJson(d));
      if (method.equals("PUT")) return update(d, r);
      return error(405, "Method not allowed");
    }
    if ((m = DEP_FILES.matcher(p)).matches() && method.equals("GET")) {
      Deposition d = depositions.get(Long.parseLong(m.group(1)));
      if (d == null) return error(404, "Deposition not found");
      return json(200, depositionJson(d).get("files"));
    }
    if ((m = DEP_FILE.matcher(p)).matches() && method.equals("DELETE")) {
      Deposition d = depositions.get(Long.parseLong(m.group(1)));
      if (d == null) return error(404, "Deposition not found");
      if (d.submitted) return error(403, "Deleting files of a published deposition is not allowed.");
      String fid = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
      boolean removed = d.files.values().removeIf(f -> f.id.equals(fid));
      return removed ? new Reply(204, null, null) : error(404, "File not found");
    }
    if ((m = ACTION.matcher(p)).matches() && method.equals("POST")) {
      Deposition d = depositions.get(Long.parseLong(m.group(1)));
      if (d == null) return error(404, "Deposition not found");
      return switch (m.group(2)) {
        case "publish" -> publish(d);
        case "newversion" -> newVersion(d);
        default -> error(400, "action not supported by the contract server");
      };
    }
    if ((m = BUCKET_PUT.matcher(p)).matches() && method.equals("PUT")) {
      Deposition d = buckets.get(m.group(1));
      if (d == null) return error(404, "Bucket not found");
      if (d.submitted) return error(403, "Bucket is locked: the deposition is published.");
      String key = URLDecoder.decode(m.group(2).replace("+", "%2B"), StandardCharsets.UTF_8);
      StoredFile f = new StoredFile(String.format(Locale.ROOT, "%08d-0000-4000-8000-%012d", ++fileCounter, fileCounter), key, r.body());
      d.files.put(key, f);
      String checksum = wrongChecksum.contains(key) ? md5((key + "damaged").getBytes(StandardCharsets.UTF_8)) : f.md5;
      String self = base + "/api/files/" + d.bucket + "/" + m.group(2);
      ObjectNode o = JSON.createObjectNode();
      o.put("key", key).put("mimetype", "application/octet-stream").put("checksum", "md5:" + checksum)
          .put("version_id", f.id).put("size", f.data.length).put("created", TIME).put("updated", TIME)
          .put("is_head", true).put("delete_marker", false);
      o.putObject("links").put("self", self).put("version", self + "?versionId=" + f.id).put("uploads", self + "?uploads");
      return json(201, o);
    }
    if ((m = LATEST.matcher(p)).matches() && method.equals("GET")) {
      if (latestRedirect != null) return new Reply(302, null, null).header("Location", latestRedirect.toString());
      Long latest = latestOf(Long.parseLong(m.group(1)));
      if (latest == null) return error(404, "Record not found");
      return new Reply(302, null, null).header("Location", base + "/api/records/" + latest);
    }
    if ((m = RECORD.matcher(p)).matches() && method.equals("GET")) {
      long id = Long.parseLong(m.group(1));
      Deposition d = depositions.get(id);
      if (d == null || !d.submitted) {
        Long latest = latestOf(id); // a concept record id resolves to its latest version
        if (latest != null && latest != id) return new Reply(302, null, null).header("Location", base + "/api/records/" + latest);
        return error(404, "PID does not exist.");
      }
      return json(200, recordJson(d));
    }
    if ((m = CONTENT.matcher(p)).matches() && method.equals("GET")) {
      Deposition d = depositions.get(Long.parseLong(m.group(1)));
      String key = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
      if (d == null || !d.submitted || !d.files.containsKey(key)) return error(404, "File not found");
      return new Reply(200, d.files.get(key).data, "application/octet-stream");
    }
    return error(404, "The requested URL was not found on the server.");
  }

  private Long latestOf(long id) {
    long concept = depositions.containsKey(id) ? depositions.get(id).concept : id;
    Long latest = null;
    for (Deposition d : depositions.values()) {
      if (d.concept == concept && d.submitted && (latest == null || d.id > latest)) latest = d.id;
    }
    return latest;
  }

  private Reply create(Request r) {
    if (!String.valueOf(r.header("content-type")).startsWith("application/json")) {
      return error(415, "Unsupported Media Type: send Content-Type: application/json");
    }
    JsonNode in;
    try {
      in = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
    } catch (IOException e) {
      return error(400, "Could not parse the JSON body.");
    }
    long concept = nextId++;
    Deposition d = new Deposition(nextId++, concept, "b" + Long.toHexString(0xb0c4e7000000L + nextId));
    if (in.has("metadata")) d.metadata = (ObjectNode) in.get("metadata").deepCopy();
    d.metadata.putObject("prereserve_doi").put("doi", DOI_PREFIX + d.id).put("recid", d.id);
    depositions.put(d.id, d);
    buckets.put(d.bucket, d);
    return json(201, depositionJson(d)).header("Location", base + "/api/deposit/depositions/" + d.id);
  }

  private Reply update(Deposition d, Request r) {
    if (!String.valueOf(r.header("content-type")).startsWith("application/json")) {
      return error(415, "Unsupported Media Type: send Content-Type: application/json");
    }
    JsonNode in;
    try {
      in = JSON.readTree(r.body());
    } catch (IOException e) {
      return error(400, "Could not parse the JSON body.");
    }
    JsonNode md = in.path("metadata");
    if (!md.isObject()) return error(400, "Validation error.", "metadata", "Missing data for required field.");
    List<String> errors = validate(md);
    if (!errors.isEmpty()) return error(400, "Validation error.", errors.toArray(String[]::new));
    ObjectNode copy = md.deepCopy();
    copy.putObject("prereserve_doi").put("doi", DOI_PREFIX + d.id).put("recid", d.id);
    d.metadata = copy;
    return json(200, depositionJson(d));
  }

  private static List<String> validate(JsonNode md) {
    List<String> e = new ArrayList<>();
    if (!UPLOAD_TYPES.contains(md.path("upload_type").asText())) e.addAll(List.of("metadata.upload_type", "Not a valid choice."));
    if (md.path("title").asText("").isBlank()) e.addAll(List.of("metadata.title", "Missing data for required field."));
    if (md.path("description").asText("").isBlank()) e.addAll(List.of("metadata.description", "Missing data for required field."));
    if (!md.path("creators").isArray() || md.path("creators").isEmpty()) {
      e.addAll(List.of("metadata.creators", "Missing data for required field."));
    } else {
      for (JsonNode c : md.path("creators")) {
        if (c.path("name").asText("").isBlank()) e.addAll(List.of("metadata.creators.name", "Missing data for required field."));
      }
    }
    String access = md.path("access_right").asText("open");
    if ((access.equals("open") || access.equals("embargoed")) && md.has("license") && !LICENSES.contains(md.path("license").asText())) {
      e.addAll(List.of("metadata.license", "Invalid license provided: " + md.path("license").asText()));
    }
    for (JsonNode rel : md.path("related_identifiers")) {
      if (rel.path("identifier").asText("").isBlank() || rel.path("relation").asText("").isBlank()) {
        e.addAll(List.of("metadata.related_identifiers", "Missing identifier or relation."));
      }
    }
    return e;
  }

  private Reply publish(Deposition d) {
    if (publishFailStatus != 0) {
      int s = publishFailStatus;
      String body = publishFailBody;
      publishFailStatus = 0;
      return new Reply(s, body == null ? null : body.getBytes(StandardCharsets.UTF_8), "application/json");
    }
    if (d.submitted) return error(400, "Deposition is already published.");
    List<String> errors = validate(d.metadata);
    if (d.files.isEmpty()) errors.addAll(List.of("files", "Minimum one file must be provided."));
    if (!errors.isEmpty()) return error(400, "Validation error.", errors.toArray(String[]::new));
    d.submitted = true;
    d.metadata.put("doi", DOI_PREFIX + d.id);
    draftOfConcept.remove(d.concept);
    return json(202, depositionJson(d));
  }

  private Reply newVersion(Deposition d) {
    if (!d.submitted) return error(400, "Only published depositions can have new versions.");
    Long latest = latestOf(d.id);
    if (latest == null || latest != d.id) {
      return error(400, "The deposition is not the latest version: use the id of the latest version.");
    }
    Long draftId = draftOfConcept.get(d.concept);
    if (draftId == null) {
      Deposition draft = new Deposition(nextId++, d.concept, "b" + Long.toHexString(0xb0c4e7000000L + nextId));
      draft.metadata = d.metadata.deepCopy();
      draft.metadata.remove("doi");
      draft.metadata.putObject("prereserve_doi").put("doi", DOI_PREFIX + draft.id).put("recid", draft.id);
      for (StoredFile f : d.files.values()) {
        draft.files.put(f.key, new StoredFile(String.format(Locale.ROOT, "%08d-0000-4000-8000-%012d", ++fileCounter, fileCounter), f.key, f.data));
      }
      depositions.put(draft.id, draft);
      buckets.put(draft.bucket, draft);
      draftOfConcept.put(d.concept, draft.id);
    }
    return json(201, depositionJson(d));
  }

  private ObjectNode depositionJson(Deposition d) {
    ObjectNode o = JSON.createObjectNode();
    String self = base + "/api/deposit/depositions/" + d.id;
    o.put("id", d.id).put("conceptrecid", Long.toString(d.concept)).put("created", TIME).put("modified", TIME)
        .put("owner", 1).put("state", d.submitted ? "done" : "unsubmitted").put("submitted", d.submitted)
        .put("title", d.metadata.path("title").asText(""));
    o.set("metadata", d.metadata.deepCopy());
    ArrayNode files = o.putArray("files");
    for (StoredFile f : d.files.values()) {
      ObjectNode fo = files.addObject();
      fo.put("id", f.id).put("filename", f.key).put("filesize", f.data.length).put("checksum", f.md5);
      fo.putObject("links").put("self", self + "/files/" + f.id).put("download", base + "/api/files/" + d.bucket + "/" + f.key);
    }
    ObjectNode links = o.putObject("links");
    links.put("self", self).put("html", base + "/deposit/" + d.id).put("files", self + "/files")
        .put("publish", self + "/actions/publish").put("edit", self + "/actions/edit").put("discard", self + "/actions/discard")
        .put("newversion", self + "/actions/newversion").put("latest_html", base + "/records/" + d.id);
    if (!d.submitted) links.put("bucket", base + "/api/files/" + d.bucket);
    Long draft = draftOfConcept.get(d.concept);
    if (draft != null) links.put("latest_draft", base + "/api/deposit/depositions/" + draft)
        .put("latest_draft_html", base + "/deposit/" + draft);
    if (d.submitted) {
      o.put("doi", DOI_PREFIX + d.id).put("doi_url", "https://doi.org/" + DOI_PREFIX + d.id).put("record_id", d.id)
          .put("conceptdoi", DOI_PREFIX + d.concept).put("record_url", base + "/records/" + d.id);
      links.put("record", base + "/api/records/" + d.id).put("record_html", base + "/records/" + d.id)
          .put("doi", "https://doi.org/" + DOI_PREFIX + d.id).put("latest", base + "/api/records/" + latestOf(d.id));
    }
    return o;
  }

  private ObjectNode recordJson(Deposition d) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", d.id).put("recid", Long.toString(d.id)).put("conceptrecid", Long.toString(d.concept))
        .put("doi", DOI_PREFIX + d.id).put("conceptdoi", DOI_PREFIX + d.concept)
        .put("doi_url", "https://doi.org/" + DOI_PREFIX + d.id).put("created", TIME).put("updated", TIME)
        .put("state", "done").put("submitted", true).put("title", d.metadata.path("title").asText(""));
    o.set("metadata", d.metadata.deepCopy());
    ArrayNode files = o.putArray("files");
    for (StoredFile f : d.files.values()) {
      ObjectNode fo = files.addObject();
      fo.put("id", f.id).put("key", f.key).put("size", f.data.length).put("checksum", "md5:" + f.md5);
      fo.putObject("links").put("self", base + "/api/records/" + d.id + "/files/" + f.key + "/content");
    }
    o.putObject("links").put("self", base + "/api/records/" + d.id).put("html", base + "/records/" + d.id)
        .put("doi", "https://doi.org/" + DOI_PREFIX + d.id).put("latest", base + "/api/records/" + latestOf(d.id))
        .put("latest_html", base + "/records/" + latestOf(d.id));
    return o;
  }

  static String md5(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
