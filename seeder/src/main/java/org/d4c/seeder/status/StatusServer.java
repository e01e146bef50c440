package org.d4c.seeder.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /status}: the node's status as JSON (keys in a fixed order). Bound to 127.0.0.1 unless told otherwise.
 * Against DNS rebinding, the {@code Host} header must name an allowed host — {@code localhost}, {@code 127.0.0.1},
 * {@code [::1]}, the bound address, and any name given with {@code --status-host} — with the bound port or none;
 * any other Host gets 421 Misdirected Request, a missing one 400. Only GET and HEAD; no request body is read, no
 * configuration is echoed beyond what the status snapshot holds (which has no secrets).
 */
public final class StatusServer implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private final HttpServer server;
  private final Set<String> allowed = new TreeSet<>();
  private final Supplier<ObjectNode> status;

  public StatusServer(String host, int port, List<String> extraHosts, Supplier<ObjectNode> status) throws IOException {
    this.status = status;
    server = HttpServer.create(new InetSocketAddress(host, port), 16);
    int bound = server.getAddress().getPort();
    List<String> names = new java.util.ArrayList<>(List.of("localhost", "127.0.0.1", "[::1]", host.contains(":") ? "[" + host + "]" : host));
    names.addAll(extraHosts);
    for (String n : names) {
      String h = n.toLowerCase(Locale.ROOT);
      allowed.add(h);
      allowed.add(h + ":" + bound);
    }
    allowed.remove("0.0.0.0");
    allowed.remove("0.0.0.0:" + bound);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "seeder-status");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String host = ex.getRequestHeaders().getFirst("Host");
      if (host == null) {
        send(ex, 400, "{\"error\":\"missing Host header\"}");
        return;
      }
      if (!allowed.contains(host.strip().toLowerCase(Locale.ROOT))) {
        send(ex, 421, "{\"error\":\"Host not allowed (add it with --status-host)\"}");
        return;
      }
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, "{\"error\":\"only GET\"}");
        return;
      }
      String path = ex.getRequestURI().getPath();
      if (!path.equals("/status") && !path.equals("/status/")) {
        send(ex, 404, "{\"error\":\"try GET /status\"}");
        return;
      }
      send(ex, 200, JSON.writeValueAsString(status.get()) + "\n");
    }
  }

  private static void send(HttpExchange ex, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(code, head ? -1 : b.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
