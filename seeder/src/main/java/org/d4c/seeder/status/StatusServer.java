package org.d4c.seeder.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.d4c.core.net.HostPort;
import org.d4c.core.web.Limits;
import org.d4c.core.web.WebServer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /status}: the node's status as JSON (keys in a fixed order), on {@link WebServer} with
 * {@link Limits#api()} (header and idle timeouts, sockets and requests per client limited). Bound to 127.0.0.1 unless
 * told otherwise. Against DNS rebinding, the {@code Host} header must name an allowed host — {@code localhost},
 * {@code 127.0.0.1}, {@code [::1]}, the bound address, and any name given with {@code --status-host} — with the bound
 * port or none; any other Host gets 421 Misdirected Request, a missing one 400. Only GET and HEAD; no request body
 * is read, no configuration is echoed beyond what the status snapshot holds (which has no secrets).
 */
public final class StatusServer implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final String TYPE = "application/json; charset=utf-8";
  private final WebServer server;
  private final Set<String> allowed = new TreeSet<>();
  private final List<String> names = new ArrayList<>();
  private final Supplier<ObjectNode> status;

  public StatusServer(String host, int port, List<String> extraHosts, Supplier<ObjectNode> status) throws IOException {
    this(new HostPort(host, port), extraHosts, status, Limits.api());
  }

  public StatusServer(HostPort bind, List<String> extraHosts, Supplier<ObjectNode> status, Limits limits) throws IOException {
    this.status = status;
    String host = bind.host();
    names.addAll(List.of("localhost", "127.0.0.1", "[::1]", host.contains(":") ? "[" + host + "]" : host));
    names.addAll(extraHosts);
    this.server = WebServer.start("seeder-status", bind, limits, new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return StatusServer.this.handle(request, response, callback);
      }
    });
    int bound = server.port();
    for (String n : names) {
      String h = n.toLowerCase(Locale.ROOT);
      allowed.add(h);
      allowed.add(h + ":" + bound);
    }
    allowed.remove("0.0.0.0");
    allowed.remove("0.0.0.0:" + bound);
  }

  public int port() {
    return server.port();
  }

  private boolean handle(Request request, Response response, Callback callback) {
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host == null || host.isBlank()) return send(request, response, callback, 400, "{\"error\":\"missing Host header\"}");
    if (!allowed.contains(host.strip().toLowerCase(Locale.ROOT))) {
      return send(request, response, callback, 421, "{\"error\":\"Host not allowed (add it with --status-host)\"}");
    }
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      return send(request, response, callback, 405, "{\"error\":\"only GET\"}");
    }
    String path = request.getHttpURI().getPath();
    if (!path.equals("/status") && !path.equals("/status/")) {
      return send(request, response, callback, 404, "{\"error\":\"try GET /status\"}");
    }
    String body;
    try {
      body = JSON.writeValueAsString(status.get()) + "\n";
    } catch (IOException | RuntimeException e) {
      return send(request, response, callback, 500, "{\"error\":\"status unavailable\"}");
    }
    return send(request, response, callback, 200, body);
  }

  private static boolean send(Request request, Response response, Callback callback, int code, String body) {
    if (request.getMethod().equals("HEAD")) {
      response.setStatus(code);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPE);
      callback.succeeded();
      return true;
    }
    return WebServer.text(response, callback, code, TYPE, body);
  }

  @Override
  public void close() {
    server.close();
  }
}
