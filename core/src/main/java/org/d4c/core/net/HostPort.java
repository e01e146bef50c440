package org.d4c.core.net;

import java.net.InetSocketAddress;
import java.util.Locale;

/** A listen or peer address as an operator writes it: {@code 127.0.0.1:8090}, {@code [::1]:6881}, {@code host:80}. */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isBlank()) throw new IllegalArgumentException("expected HOST:PORT, the host is empty");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("expected HOST:PORT with a port of 0 to 65535, got " + port);
  }

  public static HostPort parse(String text) {
    String t = text == null ? "" : text.strip();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new IllegalArgumentException("expected HOST:PORT (e.g. 127.0.0.1:8090), got '" + text + "'");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    else if (host.contains(":")) throw new IllegalArgumentException("expected HOST:PORT; write an IPv6 host in brackets, e.g. [::1]:8090, got '" + text + "'");
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected HOST:PORT with a numeric port, got '" + text + "'");
    }
    return new HostPort(host.toLowerCase(Locale.ROOT), port);
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
