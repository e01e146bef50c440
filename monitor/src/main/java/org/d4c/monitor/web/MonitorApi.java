package org.d4c.monitor.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.d4c.catalog.status.State;
import org.d4c.core.io.Sizes;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.web.RateLimiter;
import org.d4c.monitor.Monitor;
import org.d4c.monitor.load.BestWindow;
import org.d4c.monitor.probe.Targets;
import org.d4c.monitor.report.ReportException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The monitor's HTTP API, dashboard and metrics, as one Jetty handler:
 * {@code GET /v1/status}, {@code /v1/locations/{id}}, {@code /v1/items/{id}}, {@code /v1/load[?location=&bytes=]},
 * {@code /v1/history}, {@code GET|POST /v1/reports}, {@code /v1/site-results} and {@code POST /v1/triage} (between
 * probe sites), {@code /metrics} (Prometheus, Micrometer), {@code /} (the dashboard), {@code /assets/*} and the
 * published static files ({@code /status.json}, the report log and its checkpoint). Reports are limited per client
 * address (429 with {@code RateLimit} and {@code Retry-After}); bad input gets 400 with the reason.
 */
public final class MonitorApi extends Handler.Abstract {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final Monitor monitor;
  private final RateLimiter reportLimiter;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter reportsAccepted;
  private final Counter reportsRefused;
  private final Counter reportsLimited;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public MonitorApi(Monitor monitor) {
    this.monitor = monitor;
    int perMinute = monitor.config().reportsPerMinutePerClient();
    // Reports have a stricter budget per client than the server's limit on every request (the same limiter class).
    this.reportLimiter = RateLimiter.perMinute(perMinute, Math.max(1, perMinute), "reports");
    reportsAccepted = Counter.builder("d4c_monitor_reports").tag("outcome", "accepted").register(registry);
    reportsRefused = Counter.builder("d4c_monitor_reports").tag("outcome", "refused").register(registry);
    reportsLimited = Counter.builder("d4c_monitor_reports").tag("outcome", "rate_limited").register(registry);
    Gauge.builder("d4c_monitor_round", monitor, Monitor::round).register(registry);
    Gauge.builder("d4c_monitor_triage_queued", monitor, Monitor::triageQueued).register(registry);
    Gauge.builder("d4c_monitor_report_log_entries", monitor, m -> m.reportLog().entries()).register(registry);
    for (State s : State.values()) {
      Gauge.builder("d4c_monitor_location_items", monitor, m -> countState(m, s)).tag("state", s.json()).register(registry);
    }
  }

  private static double countState(Monitor m, State s) {
    ObjectNode st = m.status();
    if (st == null) return 0;
    int n = 0;
    for (JsonNode i : st.path("items")) for (JsonNode l : i.path("locations")) if (s.json().equals(l.path("state").asText())) n++;
    return n;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    Timer.Sample sample = Timer.start(registry);
    String route = path.startsWith("/v1/") ? path.replaceAll("^(/v1/[a-z-]+).*", "$1") : path.startsWith("/assets/") ? "/assets" : path;
    final String r = route.length() > 40 ? "other" : route;
    Runnable stop = () -> sample.stop(timers.computeIfAbsent(method + " " + r,
        k -> Timer.builder("d4c_monitor_http").tag("route", r).tag("method", method).register(registry)));
    // Timed until the response is complete (a report is answered later, once on disk).
    Callback timed = new Callback() {
      @Override
      public void succeeded() {
        stop.run();
        callback.succeeded();
      }

      @Override
      public void failed(Throwable x) {
        stop.run();
        callback.failed(x);
      }

      @Override
      public InvocationType getInvocationType() {
        return callback.getInvocationType();
      }
    };
    return route(request, response, timed, path, method);
  }

  private boolean route(Request request, Response response, Callback callback, String path, String method) throws IOException {
    ObjectNode status = monitor.status();
    if (method.equals("POST") && path.equals("/v1/reports")) return postReport(request, response, callback);
    if (method.equals("POST") && path.equals("/v1/triage")) return triage(request, response, callback);
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, POST");
      return error(response, callback, 405, "method not allowed");
    }
    Fields q = Request.extractQueryParameters(request);
    switch (path) {
      case "/", "/index.html" -> {
        return send(response, callback, 200, "text/html; charset=utf-8", Dashboard.html(monitor, "/assets/", "/v1/history").getBytes(StandardCharsets.UTF_8));
      }
      case "/metrics" -> {
        return send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8));
      }
      case "/v1/status", "/status.json" -> {
        if (status == null) return error(response, callback, 503, "no round has finished yet; try again shortly");
        return json(response, callback, 200, status);
      }
      case "/v1/site-results" -> {
        if (monitor.siteResults() == null) return error(response, callback, 503, "no round has finished yet");
        return json(response, callback, 200, monitor.siteResults());
      }
      case "/v1/reports" -> {
        ObjectNode o = NODES.objectNode();
        ArrayNode arr = o.putArray("reports");
        for (Map<String, Object> r : monitor.history().recentReports(Math.min(500, intParam(q, "limit", 50)))) arr.add(CanonicalJson.toTree(stringify(r)));
        o.put("log_entries", monitor.reportLog().entries()).put("log_head", monitor.reportLog().head());
        return json(response, callback, 200, o);
      }
      case "/v1/load" -> {
        return json(response, callback, 200, load(q));
      }
      case "/v1/history" -> {
        ObjectNode o = NODES.objectNode();
        ArrayNode arr = o.putArray("probes");
        for (Map<String, Object> r : monitor.history().probeHistory(q.getValue("location"), q.getValue("item"), Math.min(5000, intParam(q, "limit", 2000)))) {
          arr.add(CanonicalJson.toTree(stringify(r)));
        }
        return json(response, callback, 200, o);
      }
      default -> { }
    }
    if (path.startsWith("/v1/locations/")) {
      String id = path.substring("/v1/locations/".length());
      if (status == null) return error(response, callback, 503, "no round has finished yet");
      for (JsonNode l : status.path("locations")) {
        if (l.path("id").asText().equals(id)) {
          ObjectNode o = ((ObjectNode) l).deepCopy();
          ArrayNode items = o.putArray("item_states");
          for (JsonNode i : status.path("items")) {
            for (JsonNode il : i.path("locations")) if (il.path("location").asText().equals(id)) items.add(((ObjectNode) il.deepCopy()).put("item", i.path("id").asText()));
          }
          ArrayNode hours = o.putArray("hour_of_week");
          for (Map<String, Object> r : monitor.hourOfWeek(id)) hours.add(CanonicalJson.toTree(stringify(r)));
          return json(response, callback, 200, o);
        }
      }
      return error(response, callback, 404, "no location " + id + " in the catalog");
    }
    if (path.startsWith("/v1/items/")) {
      String id = path.substring("/v1/items/".length());
      if (status == null) return error(response, callback, 503, "no round has finished yet");
      for (JsonNode i : status.path("items")) if (i.path("id").asText().equals(id)) return json(response, callback, 200, i);
      return error(response, callback, 404, "no item " + id + " in the catalog");
    }
    if (path.startsWith("/assets/")) return asset(response, callback, path.substring("/assets/".length()));
    if (path.equals("/" + org.d4c.monitor.report.ReportLog.LOG) || path.equals("/" + org.d4c.monitor.report.ReportLog.CHECKPOINT)
        || path.equals("/" + org.d4c.catalog.status.StatusKeys.FILE)) {
      java.nio.file.Path f = monitor.config().outDir().resolve(path.substring(1));
      if (!java.nio.file.Files.exists(f)) return error(response, callback, 404, "not written yet");
      String type = path.endsWith(".jsonl") ? "application/x-ndjson" : "application/json";
      return send(response, callback, 200, type, java.nio.file.Files.readAllBytes(f));
    }
    return error(response, callback, 404, "no such page; try /, /v1/status or /metrics");
  }

  private ObjectNode load(Fields q) {
    ObjectNode o = NODES.objectNode();
    ArrayNode nodes = o.putArray("smart_nodes");
    for (var e : new java.util.TreeMap<>(monitor.nodes()).entrySet()) {
      ObjectNode n = (ObjectNode) CanonicalJson.toTree(stringify(e.getValue()));
      n.put("node", e.getKey());
      nodes.add(n);
    }
    long up = 0;
    long down = 0;
    double rate = 0;
    double downRate = 0;
    int datasets = 0;
    for (var m : monitor.nodes().values()) {
      up += m.get("uploaded") instanceof Number n ? n.longValue() : 0;
      down += m.get("downloaded") instanceof Number n ? n.longValue() : 0;
      rate += m.get("upload_rate") instanceof Number n ? n.doubleValue() : 0;
      downRate += m.get("download_rate") instanceof Number n ? n.doubleValue() : 0;
      datasets += m.get("datasets") instanceof Number n ? n.intValue() : 0;
    }
    o.putObject("totals").put("uploaded", up).put("downloaded", down).put("upload_rate", rate).put("download_rate", downRate)
        .put("datasets", datasets);
    String loc = q.getValue("location");
    ArrayNode hours = o.putArray("hour_of_week");
    for (Map<String, Object> r : monitor.hourOfWeek(loc)) hours.add(CanonicalJson.toTree(stringify(r)));
    if (loc != null) {
      long bytes = q.getValue("bytes") == null ? 1L << 30 : Sizes.parse(q.getValue("bytes"));
      ObjectNode best = o.putObject("best_window").put("location", loc).put("bytes", bytes);
      ArrayNode w = best.putArray("windows");
      for (BestWindow.Window x : BestWindow.best(monitor.hourOfWeek(loc), monitor.trafficByHourOfWeek(), bytes, 3)) {
        w.addObject().put("hour_of_week", x.hourOfWeek()).put("label", x.label()).put("throughput_bps", Math.round(x.throughputBps()))
            .put("estimated_seconds", Math.round(x.estimatedSeconds())).put("probes", x.probes()).put("smart_node_upload_rate", x.load());
      }
    }
    return o;
  }

  private boolean postReport(Request request, Response response, Callback callback) throws IOException {
    RateLimiter.Decision d = reportLimiter.take(Request.getRemoteAddr(request));
    reportLimiter.headers(d, response.getHeaders());
    if (!d.allowed()) {
      reportsLimited.increment();
      return error(response, callback, 429, "too many reports from this address; retry after " + d.retryAfterSeconds() + " s");
    }
    JsonNode body;
    try {
      body = readJson(request);
    } catch (ReportException e) {
      reportsRefused.increment();
      return error(response, callback, 400, e.getMessage());
    }
    java.util.concurrent.CompletableFuture<Monitor.Accepted> pending;
    try {
      pending = monitor.submitAsync(body);
    } catch (ReportException e) {
      reportsRefused.increment();
      return error(response, callback, 400, e.getMessage());
    }
    // Answered once the report is on disk; this thread goes back to the pool meanwhile (the log syncs in batches).
    pending.whenComplete((a, x) -> {
      Throwable cause = x instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : x;
      if (cause == null) {
        reportsAccepted.increment();
        ObjectNode o = NODES.objectNode().put("id", a.id()).put("seq", a.seq()).put("verdict", "pending")
            .put("log", "/" + org.d4c.monitor.report.ReportLog.LOG);
        json(response, callback, 202, o);
      } else if (cause instanceof IllegalStateException) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "30");
        error(response, callback, 503, "the monitor is busy triaging reports; retry after 30 s");
      } else {
        error(response, callback, 500, "the report could not be stored: " + cause.getMessage());
      }
    });
    return true;
  }

  private boolean triage(Request request, Response response, Callback callback) throws IOException {
    JsonNode q;
    try {
      q = readJson(request);
    } catch (ReportException e) {
      return error(response, callback, 400, e.getMessage());
    }
    Targets.ItemTarget t = monitor.target(q.path("item").asText());
    String loc = q.path("location").asText();
    if (t == null || !t.urls().containsKey(loc)) return error(response, callback, 400, "unknown item or location");
    Targets.FileInfo fi = null;
    if (q.has("file")) {
      fi = t.files().stream().filter(f -> f.path().equals(q.path("file").asText())).findFirst().orElse(null);
      if (fi == null) return error(response, callback, 400, "unknown file");
    }
    Long from = q.path("range").has("from") ? q.path("range").path("from").asLong() : null;
    Long to = q.path("range").has("to") ? q.path("range").path("to").asLong() : null;
    if (from != null && (from < 0 || to == null || to <= from || to - from > Monitor.MAX_RANGE || fi == null || to > fi.size())) {
      return error(response, callback, 400, "bad range");
    }
    String r = monitor.triageHere(t, loc, fi, from, to);
    int colon = r.indexOf(':');
    return json(response, callback, 200, NODES.objectNode().put("site", monitor.config().site()).put("state", r.substring(0, colon))
        .put("detail", r.substring(colon + 1).strip()));
  }

  private static JsonNode readJson(Request request) throws IOException {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) throw new ReportException("expected Content-Type: application/json");
    long len = request.getLength();
    if (len > Monitor.MAX_REPORT_BYTES) throw new ReportException("a report is at most " + Monitor.MAX_REPORT_BYTES + " bytes");
    byte[] b;
    try (InputStream in = Content.Source.asInputStream(request)) {
      b = in.readNBytes(Monitor.MAX_REPORT_BYTES + 1);
    }
    if (b.length > Monitor.MAX_REPORT_BYTES) throw new ReportException("a report is at most " + Monitor.MAX_REPORT_BYTES + " bytes");
    try {
      return CanonicalJson.mapper().readTree(b);
    } catch (IOException e) {
      throw new ReportException("not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  private static Map<String, Object> stringify(Map<String, Object> row) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    row.forEach((k, v) -> out.put(k, v instanceof java.sql.Timestamp ts ? org.d4c.catalog.CatalogParquet.formatInstant(ts.toInstant())
        : v instanceof java.time.temporal.Temporal tt ? tt.toString() : v instanceof java.math.BigInteger bi ? bi.longValue() : v));
    return out;
  }

  private static int intParam(Fields q, String name, int dflt) {
    try {
      return q.getValue(name) == null ? dflt : Math.max(1, Integer.parseInt(q.getValue(name)));
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  private boolean asset(Response response, Callback callback, String name) throws IOException {
    String res = switch (name) {
      case "uPlot.iife.min.js" -> "vendor/dist/uPlot.iife.min.js";
      case "uPlot.min.css" -> "vendor/dist/uPlot.min.css";
      case "dashboard.js", "dashboard.css" -> name;
      default -> null;
    };
    if (res == null) return error(response, callback, 404, "no such asset");
    try (InputStream in = MonitorApi.class.getResourceAsStream(res)) {
      if (in == null) return error(response, callback, 404, "asset missing from the build: " + name);
      String type = name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=3600");
      return send(response, callback, 200, type, in.readAllBytes());
    }
  }

  static boolean json(Response response, Callback callback, int status, JsonNode body) {
    return send(response, callback, status, "application/json", CanonicalJson.toBytes(body));
  }

  static boolean error(Response response, Callback callback, int status, String message) {
    return json(response, callback, status, NODES.objectNode().put("error", message));
  }

  static boolean send(Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }
}
