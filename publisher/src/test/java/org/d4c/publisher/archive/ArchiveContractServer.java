package org.d4c.publisher.archive;

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
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the Internet Archive, for tests: IAS3 uploads, the Item Metadata API, the Tasks API summary and
 * downloads, all on one loopback port. <b>It follows the published documentation (the IAS3 API document, "Item
 * Metadata API: Read", "Tasks API") and is NOT the real service</b>; the real archive is not exercised by these tests.
 *
 * <ul>
 *   <li>{@code PUT /<item>/<file>}: needs {@code authorization: LOW <access>:<secret>} (403 {@code InvalidAccessKeyId} /
 *       {@code SignatureDoesNotMatch} otherwise); an item that does not exist needs {@code x-amz-auto-make-bucket: 1}
 *       (404 {@code NoSuchBucket}) and takes its metadata from the {@code x-archive-meta[NN]-<field>} headers (values in
 *       {@code uri(…)} are percent-decoded); {@code Content-MD5} is checked (400 {@code BadDigest}); errors are S3-style
 *       XML ({@code <Error><Code>…</Code><Message>…</Message>…</Error>}).
 *   <li>{@code GET /metadata/<item>}: {@code {}} for an unknown item, else {@code created}, {@code files} (name, source,
 *       md5, size as a string, plus the item's own {@code _meta.xml} / {@code _files.xml}), {@code metadata}, ….
 *   <li>{@code GET /services/tasks.php?identifier=<item>&summary=1}: {@code {"success": true, "value": {"summary":
 *       {"queued", "running", "error", "paused"}}}} (needs the LOW authorization).
 *   <li>{@code GET /download/<item>/<file>}: the bytes of an ingested file.
 * </ul>
 *
 * <p>Ingest is immediate unless {@link #keepPending}: then uploads wait as queued tasks, invisible to the metadata API,
 * until {@link #completePending}. Knobs: {@link #failNext} (e.g. 503 SlowDown with Retry-After), {@link #corrupt},
 * {@link #remove}; {@link #requests()} records every request.
 */
public final class ArchiveContractServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern META = Pattern.compile("x-archive-meta(\\d\\d)?-([a-z0-9_-]+)");
  private static final Pattern ITEM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /** One request as received. */
  public record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override public String toString() {
      return method + " " + path + (query == null ? "" : "?" + query);
    }
  }

  private static final class Item {
    final Map<String, List<String>> metadata = new TreeMap<>();
    final Map<String, byte[]> files = new TreeMap<>();
    final Map<String, String> md5 = new TreeMap<>();
    boolean ingested;
  }

  private record Pending(String item, String file, byte[] data) {}

  private final HttpServer server;
  private final URI base;
  private final String accessKey;
  private final String secretKey;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Item> items = new TreeMap<>();
  private final List<Pending> pending = new ArrayList<>();
  private boolean keepPending;
  private int failCount;
  private int failStatus;
  private String failCode;
  private String failRetryAfter;

  private ArchiveContractServer(String accessKey, String secretKey) throws IOException {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Starts a server accepting these IAS3 keys. */
  public static ArchiveContractServer start(String accessKey, String secretKey) {
    try {
      return new ArchiveContractServer(accessKey, secretKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>}: both the S3 endpoint and the archive URL. */
  public URI baseUrl() {
    return base;
  }

  @Override public void close() {
    server.stop(0);
  }

  /** While true, uploads stay queued tasks and the metadata API does not list them. */
  public synchronized ArchiveContractServer keepPending(boolean keep) {
    keepPending = keep;
    return this;
  }

  /** Runs every queued ingest task. */
  public synchronized void completePending() {
    for (Pending p : pending) ingest(p.item(), p.file(), p.data());
    pending.clear();
  }

  /** The next {@code n} requests fail with {@code status} and S3 error {@code code} (e.g. 503 SlowDown). */
  public synchronized ArchiveContractServer failNext(int n, int status, String code, String retryAfter) {
    failCount = n;
    failStatus = status;
    failCode = code;
    failRetryAfter = retryAfter;
    return this;
  }

  /** Makes the metadata API report another md5 for a file, as if the stored copy were damaged. */
  public synchronized void corrupt(String item, String file) {
    items.get(item).md5.put(file, "f".repeat(32));
  }

  /** Removes a file from an item. */
  public synchronized void remove(String item, String file) {
    items.get(item).files.remove(file);
    items.get(item).md5.remove(file);
  }

  /** The item's metadata (field to values), or null. */
  public synchronized Map<String, List<String>> itemMetadata(String item) {
    Item i = items.get(item);
    return i == null ? null : Map.copyOf(i.metadata);
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public void clearRequests() {
    requests.clear();
  }

  // ------------------------------------------------------------------------------------------ handling

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      Map<String, List<String>> headers = new TreeMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(), headers, body);
      requests.add(req);
      Reply reply;
      synchronized (this) {
        reply = route(req);
      }
      reply.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      if (reply.body != null) ex.getResponseHeaders().add("Content-Type", reply.contentType);
      byte[] out = reply.body == null ? new byte[0] : reply.body;
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
  }

  private static Reply xmlError(int status, String code, String message, String resource) {
    String xml = "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>" + code + "</Code><Message>" + message
        + "</Message><Resource>" + resource + "</Resource><RequestId>contract-0</RequestId></Error>";
    return new Reply(status, xml.getBytes(StandardCharsets.UTF_8), "application/xml");
  }

  private static Reply json(Object node) {
    try {
      return new Reply(200, JSON.writeValueAsBytes(node), "application/json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Reply route(Request r) {
    if (failCount > 0) {
      failCount--;
      Reply busy = xmlError(failStatus, failCode, failStatus == 503 ? "Please reduce your request rate." : "Injected failure.", r.path());
      if (failRetryAfter != null) busy.headers.put("Retry-After", failRetryAfter);
      return busy;
    }
    String p = r.path();
    if (r.method().equals("GET") && p.startsWith("/metadata/")) return metadata(decode(p.substring("/metadata/".length())));
    if (r.method().equals("GET") && p.equals("/services/tasks.php")) return tasks(r);
    if (r.method().equals("GET") && p.startsWith("/download/")) {
      String[] parts = p.substring("/download/".length()).split("/", 2);
      Item i = items.get(decode(parts[0]));
      byte[] data = i == null || parts.length < 2 ? null : i.files.get(decode(parts[1]));
      return data == null ? new Reply(404, "not found".getBytes(StandardCharsets.UTF_8), "text/plain") : new Reply(200, data, "application/octet-stream");
    }
    if (r.method().equals("PUT")) return put(r);
    return xmlError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", p);
  }

  private String authProblem(Request r) {
    String auth = r.header("authorization");
    if (auth == null || !auth.startsWith("LOW ")) return "AccessDenied";
    String[] kv = auth.substring(4).split(":", 2);
    if (!kv[0].equals(accessKey)) return "InvalidAccessKeyId";
    if (kv.length < 2 || !kv[1].equals(secretKey)) return "SignatureDoesNotMatch";
    return null;
  }

  private Reply put(Request r) {
    String[] parts = r.path().substring(1).split("/", 2);
    if (parts.length < 2 || parts[1].isEmpty()) return xmlError(400, "InvalidRequest", "Bucket creation without a file is not supported here.", r.path());
    String item = decode(parts[0]);
    String file = decode(parts[1]);
    String auth = authProblem(r);
    if (auth != null) {
      return xmlError(403, auth, auth.equals("AccessDenied") ? "Access Denied" : "The request signature we calculated does not match the key you provided.", r.path());
    }
    if (!ITEM.matcher(item).matches()) return xmlError(400, "InvalidBucketName", "The specified bucket is not valid.", r.path());
    String contentMd5 = r.header("content-md5");
    if (contentMd5 != null) {
      String want;
      try {
        want = HexFormat.of().formatHex(Base64.getDecoder().decode(contentMd5));
      } catch (IllegalArgumentException e) {
        return xmlError(400, "InvalidDigest", "The Content-MD5 you specified was invalid.", r.path());
      }
      if (!want.equals(md5(r.body()))) return xmlError(400, "BadDigest", "The Content-MD5 you specified did not match what we received.", r.path());
    }
    Item i = items.get(item);
    if (i == null) {
      if (!"1".equals(r.header("x-amz-auto-make-bucket"))) return xmlError(404, "NoSuchBucket", "The specified bucket does not exist.", r.path());
      i = new Item();
      i.metadata.put("identifier", List.of(item));
      for (Map.Entry<String, List<String>> h : r.headers().entrySet()) {
        Matcher m = META.matcher(h.getKey());
        if (!m.matches()) continue;
        String field = m.group(2).replace("--", "_");
        for (String v : h.getValue()) i.metadata.computeIfAbsent(field, k -> new ArrayList<>()).add(headerValue(v));
      }
      i.metadata.replaceAll((k, v) -> List.copyOf(v));
      items.put(item, i);
    }
    if (keepPending) pending.add(new Pending(item, file, r.body()));
    else ingest(item, file, r.body());
    Reply ok = new Reply(200, null, null);
    ok.headers.put("ETag", "\"" + md5(r.body()) + "\"");
    return ok;
  }

  private void ingest(String item, String file, byte[] data) {
    Item i = items.get(item);
    i.files.put(file, data);
    i.md5.put(file, md5(data));
    i.ingested = true;
  }

  private Reply metadata(String item) {
    Item i = items.get(item);
    ObjectNode o = JSON.createObjectNode();
    if (i == null || !i.ingested) return json(o);
    o.put("created", 1704067200).put("d1", "ia-contract-1").put("d2", "ia-contract-2").put("dir", "/0/items/" + item)
        .put("server", "ia-contract-1").put("uniq", 1).put("item_last_updated", 1704067200);
    ArrayNode files = o.putArray("files");
    long size = 0;
    for (Map.Entry<String, byte[]> f : i.files.entrySet()) {
      files.addObject().put("name", f.getKey()).put("source", "original").put("mtime", "1704067200")
          .put("size", Long.toString(f.getValue().length)).put("md5", i.md5.get(f.getKey())).put("format", "Unknown");
      size += f.getValue().length;
    }
    files.addObject().put("name", item + "_meta.xml").put("source", "original").put("format", "Metadata").put("md5", md5(item.getBytes(StandardCharsets.UTF_8)));
    files.addObject().put("name", item + "_files.xml").put("source", "original").put("format", "Metadata").put("md5", md5((item + "f").getBytes(StandardCharsets.UTF_8)));
    o.put("files_count", files.size()).put("item_size", size);
    ObjectNode md = o.putObject("metadata");
    i.metadata.forEach((k, v) -> {
      if (v.size() == 1) md.put(k, v.get(0));
      else v.forEach(md.withArray(k)::add);
    });
    return json(o);
  }

  private Reply tasks(Request r) {
    if (authProblem(r) != null) {
      ObjectNode e = JSON.createObjectNode().put("success", false).put("error", "invalid or missing credentials");
      try {
        return new Reply(401, JSON.writeValueAsBytes(e), "application/json");
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    Map<String, String> q = new TreeMap<>();
    if (r.query() != null) {
      for (String kv : r.query().split("&")) {
        String[] p = kv.split("=", 2);
        q.put(decode(p[0]), p.length > 1 ? decode(p[1]) : "");
      }
    }
    String item = q.get("identifier");
    long queued = pending.stream().filter(p -> p.item().equals(item)).count();
    ObjectNode o = JSON.createObjectNode().put("success", true);
    o.putObject("value").putObject("summary").put("queued", queued).put("running", 0).put("error", 0).put("paused", 0);
    return json(o);
  }

  private static String headerValue(String v) {
    if (v.startsWith("uri(") && v.endsWith(")")) return URLDecoder.decode(v.substring(4, v.length() - 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    return v;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  static String md5(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
