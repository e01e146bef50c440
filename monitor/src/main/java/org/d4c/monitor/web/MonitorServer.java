package org.d4c.monitor.web;

import java.io.IOException;
import org.d4c.core.net.HostPort;
import org.d4c.core.web.Limits;
import org.d4c.core.web.WebServer;
import org.eclipse.jetty.server.Handler;

/**
 * The monitor's HTTP server: the project's one {@link WebServer} (header and idle timeouts, socket and rate limits per
 * client with {@code RateLimit}/{@code Retry-After}), bound to 127.0.0.1 unless told otherwise. Reports have their
 * own, stricter limit in {@link MonitorApi}.
 */
public final class MonitorServer implements AutoCloseable {
  private final WebServer server;

  private MonitorServer(WebServer server) {
    this.server = server;
  }

  /** The API limits, with room for dashboards and automated clients polling from one address. */
  public static Limits limits() {
    return Limits.api().withConnectionsPerClient(128).withRate(500, 1000);
  }

  public static MonitorServer start(HostPort bind, Handler handler) throws IOException {
    return start(bind, limits(), handler);
  }

  public static MonitorServer start(HostPort bind, Limits limits, Handler handler) throws IOException {
    return new MonitorServer(WebServer.start("monitor", bind, limits, handler));
  }

  public String origin() {
    return server.origin();
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
