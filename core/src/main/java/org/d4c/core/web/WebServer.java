package org.d4c.core.web;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.d4c.core.net.HostPort;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The one embedded HTTP server of d4c (folder mirror, seeder status, monitor), on Jetty 12 with {@link Limits}:
 * a header timeout (a socket that has not sent a whole request closes), an idle timeout, a socket limit per client
 * address and overall, a bounded worker pool that idle sockets do not occupy (Jetty reads headers without a thread),
 * request size limits (431, 413), and a rate limit per client address (429 with {@code RateLimit} and
 * {@code Retry-After}). Paths holding a NUL or an encoded {@code ..} or {@code /} get 400, never a dropped socket.
 * Binds 127.0.0.1 unless told otherwise.
 *
 * <p>Handlers are plain Jetty {@link Handler}s; {@link #text} writes a small response.
 */
public final class WebServer implements AutoCloseable {
  public static final String DEFAULT_HOST = "127.0.0.1";

  private final Server server;
  private final ServerConnector connector;
  private final String host;

  private WebServer(String name, HostPort bind, Limits limits, Handler app) throws IOException {
    this.host = bind.host();
    QueuedThreadPool pool = new QueuedThreadPool(limits.maxThreads(), Math.min(4, limits.maxThreads()), 60_000);
    pool.setName(name);
    pool.setDaemon(true);
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(bind.host());
    connector.setPort(bind.port());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptQueueSize(1024);
    Sockets sockets = new Sockets(limits, connector.getScheduler());
    connector.addEventListener(sockets);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
    ErrorHandler errors = new ErrorHandler();
    errors.setShowStacks(false);
    errors.setShowMessageInTitle(false);
    errors.setDefaultResponseMimeType("text/plain");
    server.setErrorHandler(errors);
    SizeLimitHandler inner = new SizeLimitHandler(limits.maxRequestBytes(), -1);
    inner.setHandler(app);
    server.setHandler(new Guard(sockets, new RateLimiter(limits.requestsPerSecond(), limits.burst()), inner));
    try {
      server.start();
    } catch (IOException e) {
      close();
      throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
    } catch (Exception e) {
      close();
      throw new IOException("cannot start the HTTP server on " + bind + ": " + e.getMessage(), e);
    }
  }

  /** Starts a server named {@code name} (its threads' name) on {@code bind} (port 0: any free port). */
  public static WebServer start(String name, HostPort bind, Limits limits, Handler handler) throws IOException {
    return new WebServer(name, bind, limits, handler);
  }

  public int port() {
    return connector.getLocalPort();
  }

  public String host() {
    return host;
  }

  /** {@code http://host:port} without a trailing slash. */
  public String origin() {
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  /** Writes a whole small response (UTF-8 text) and completes the callback; returns true for use in handlers. */
  public static boolean text(Response response, Callback callback, int status, String contentType, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
    response.write(true, ByteBuffer.wrap(b), callback);
    return true;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception ignored) {
      // stopping a server that failed to start
    }
  }

  /** Socket bookkeeping: per-client counts, and a timer that closes a socket that sent no whole request in time. */
  private static final class Sockets implements Connection.Listener {
    private final Limits limits;
    private final Scheduler scheduler;
    private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Connection, Scheduler.Task> awaitingRequest = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Connection, String> counted = new ConcurrentHashMap<>();
    private final java.util.Set<Connection> overLimit = ConcurrentHashMap.newKeySet();

    Sockets(Limits limits, Scheduler scheduler) {
      this.limits = limits;
      this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
      String client = clientOf(connection.getEndPoint().getRemoteSocketAddress());
      AtomicInteger n = perClient.computeIfAbsent(client, k -> new AtomicInteger());
      counted.put(connection, client);
      // Over the limit: the socket stays only to be told so (429 and close), within the header timeout.
      if (n.incrementAndGet() > limits.connectionsPerClient()) overLimit.add(connection);
      awaitingRequest.put(connection, scheduler.schedule(() -> {
        if (awaitingRequest.remove(connection) != null) connection.getEndPoint().close();
      }, limits.headerTimeout().toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public void onClosed(Connection connection) {
      Scheduler.Task t = awaitingRequest.remove(connection);
      if (t != null) t.cancel();
      overLimit.remove(connection);
      String client = counted.remove(connection);
      if (client != null) {
        perClient.computeIfPresent(client, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
      }
    }

    /** Marks the socket as having sent a whole request; false when it is one over its client's limit. */
    boolean requestArrived(Connection connection) {
      Scheduler.Task t = awaitingRequest.remove(connection);
      if (t != null) t.cancel();
      return !overLimit.contains(connection);
    }
  }

  static String clientOf(SocketAddress a) {
    if (a instanceof InetSocketAddress i && i.getAddress() != null) return i.getAddress().getHostAddress();
    return String.valueOf(a);
  }

  /** First handler of every request: header timer off, path sanity, rate limit. */
  private static final class Guard extends Handler.Wrapper {
    private final Sockets sockets;
    private final RateLimiter rate;

    Guard(Sockets sockets, RateLimiter rate, Handler next) {
      super(next);
      this.sockets = sockets;
      this.rate = rate;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (!sockets.requestArrived(request.getConnectionMetaData().getConnection())) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.getHeaders().put(HttpHeader.RETRY_AFTER, 1);
        return text(response, callback, 429, "text/plain; charset=utf-8", "too many connections from your address; retry in 1 s\n");
      }
      String raw = request.getHttpURI().getPath();
      String decoded = request.getHttpURI().getDecodedPath();
      if (raw == null || decoded == null || raw.indexOf('\0') >= 0 || decoded.indexOf('\0') >= 0
          || raw.toLowerCase(java.util.Locale.ROOT).contains("%00") || request.getHttpURI().hasViolations()) {
        return text(response, callback, 400, "text/plain; charset=utf-8", "bad path\n");
      }
      RateLimiter.Decision d = rate.take(Request.getRemoteAddr(request));
      rate.headers(d, response.getHeaders());
      if (!d.allowed()) {
        return text(response, callback, 429, "text/plain; charset=utf-8", "too many requests; retry in " + d.retryAfterSeconds() + " s\n");
      }
      if (super.handle(request, response, callback)) return true;
      return text(response, callback, 404, "text/plain; charset=utf-8", "not found\n");
    }
  }

  /** Content a handler may read whole (bounded by {@link Limits#maxRequestBytes}). */
  public static String body(Request request) throws IOException {
    return Content.Source.asString(request, StandardCharsets.UTF_8);
  }
}
