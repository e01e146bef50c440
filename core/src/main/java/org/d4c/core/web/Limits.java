package org.d4c.core.web;

import java.time.Duration;

/**
 * What one d4c HTTP server accepts. The defaults keep a server answering while a few hundred idle or slow sockets are
 * open: headers must arrive whole within {@code headerTimeout}, a silent connection closes after {@code idleTimeout},
 * one client address holds at most {@code connectionsPerClient} sockets and makes {@code requestsPerSecond} requests
 * (bursts of {@code burst}), and no request is waiting on a thread while its headers trickle in (Jetty reads them
 * without one).
 *
 * @param maxThreads worker threads; the pool is sized for work, not for connections
 * @param maxConnections sockets open at once over all clients; further ones wait in the accept backlog
 * @param maxHeaderBytes request line and headers; larger gets 431
 * @param maxRequestBytes request body; larger gets 413
 */
public record Limits(Duration headerTimeout, Duration idleTimeout, int connectionsPerClient, int maxConnections,
    int maxThreads, int maxHeaderBytes, long maxRequestBytes, int requestsPerSecond, int burst) {

  public Limits {
    if (headerTimeout.isNegative() || headerTimeout.isZero()) throw new IllegalArgumentException("headerTimeout must be positive");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idleTimeout must be positive");
    if (connectionsPerClient < 1 || maxConnections < 1 || maxThreads < 4 || maxHeaderBytes < 1024 || maxRequestBytes < 0
        || requestsPerSecond < 1 || burst < 1) {
      throw new IllegalArgumentException("limits must be positive (at least 4 threads, 1 KiB of headers): " + this);
    }
  }

  /** For a small API (status, monitor): 10 s for headers, 30 s idle, 16 sockets and 20 requests/s (burst 40) per client. */
  public static Limits api() {
    return new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 16, 1024, 32, 8 * 1024, 64 * 1024, 20, 40);
  }

  /** For files (a folder mirror, a web seed): clients ask many ranges, so 64 sockets and 200 requests/s (burst 400). */
  public static Limits files() {
    return new Limits(Duration.ofSeconds(10), Duration.ofSeconds(60), 64, 2048, 64, 8 * 1024, 0, 200, 400);
  }

  public Limits withHeaderTimeout(Duration d) {
    return new Limits(d, idleTimeout, connectionsPerClient, maxConnections, maxThreads, maxHeaderBytes, maxRequestBytes, requestsPerSecond, burst);
  }

  public Limits withIdleTimeout(Duration d) {
    return new Limits(headerTimeout, d, connectionsPerClient, maxConnections, maxThreads, maxHeaderBytes, maxRequestBytes, requestsPerSecond, burst);
  }

  public Limits withConnectionsPerClient(int n) {
    return new Limits(headerTimeout, idleTimeout, n, maxConnections, maxThreads, maxHeaderBytes, maxRequestBytes, requestsPerSecond, burst);
  }

  public Limits withRate(int perSecond, int burst) {
    return new Limits(headerTimeout, idleTimeout, connectionsPerClient, maxConnections, maxThreads, maxHeaderBytes, maxRequestBytes, perSecond, burst);
  }
}
