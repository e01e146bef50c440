package org.d4c.monitor.web;

import java.io.IOException;
import org.d4c.core.net.HostPort;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The monitor's HTTP server (Jetty 12): binds 127.0.0.1 unless told otherwise. */
public final class MonitorServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final String host;

  private MonitorServer(HostPort bind, Handler handler) throws IOException {
    QueuedThreadPool pool = new QueuedThreadPool(64, 4, 60_000);
    pool.setName("monitor-http");
    pool.setDaemon(true);
    server = new Server(pool);
    connector = new ServerConnector(server);
    connector.setHost(bind.host());
    connector.setPort(bind.port());
    connector.setIdleTimeout(30_000);
    server.addConnector(connector);
    server.setHandler(handler);
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
    }
    this.host = bind.host();
  }

  public static MonitorServer start(HostPort bind, Handler handler) throws IOException {
    return new MonitorServer(bind, handler);
  }

  public String origin() {
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + connector.getLocalPort();
  }

  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception ignored) {
      // stopping a server that failed to start
    }
  }
}
