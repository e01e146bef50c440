package org.d4c.publisher.mirror;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Sends HTTP requests only where a mirror is configured: redirects are followed by hand, for GET and HEAD only, and
 * only to the same scheme, host and port as the request (so an {@code Authorization} header never travels to
 * another host); any other redirect is refused with an error naming both hosts.
 */
public final class HttpSend {
  private static final int MAX_REDIRECTS = 5;

  private HttpSend() {}

  /** A client that follows no redirect itself (this class does) and never uses HTTP/2 cleartext upgrades. */
  public static HttpClient newClient() {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(30))
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /** Refuses a client that would follow redirects on its own, past this class's host check. */
  public static HttpClient requireNoRedirects(HttpClient client) {
    Objects.requireNonNull(client, "client");
    if (client.followRedirects() != HttpClient.Redirect.NEVER) {
      throw new IllegalArgumentException("the HTTP client must not follow redirects itself (Redirect.NEVER): "
          + "HttpSend follows them, to the same host only");
    }
    return client;
  }

  /** True when {@code a} and {@code b} have the same scheme, host and port (default ports filled in). */
  public static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && b.getScheme() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null && b.getHost() != null
        && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
        && port(a) == port(b);
  }

  private static int port(URI u) {
    if (u.getPort() != -1) return u.getPort();
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** Sends {@code request}, following same-origin redirects of GET/HEAD requests. */
  public static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    HttpRequest current = request;
    for (int hop = 0; ; hop++) {
      HttpResponse<T> response = client.send(current, handler);
      int status = response.statusCode();
      boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
      if (!redirect) return response;
      String location = response.headers().firstValue("Location").orElse(null);
      if (location == null) return response;
      String method = current.method();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        throw new IOException("HTTP " + status + " redirect of " + method + " " + path(current.uri())
            + " not followed: only GET and HEAD are redirected");
      }
      URI next = current.uri().resolve(location);
      if (!sameOrigin(request.uri(), next)) {
        throw new IOException("refusing a redirect from " + origin(request.uri()) + " to another host, "
            + origin(next) + " (" + method + " " + path(request.uri()) + "): requests go only to the configured endpoint");
      }
      if (hop + 1 >= MAX_REDIRECTS) throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + path(request.uri()));
      HttpRequest.Builder b = HttpRequest.newBuilder(next).method(method, HttpRequest.BodyPublishers.noBody());
      current.timeout().ifPresent(b::timeout);
      current.headers().map().forEach((k, vs) -> vs.forEach(v -> b.header(k, v)));
      current = b.build();
    }
  }

  /** scheme://host[:port] */
  public static String origin(URI u) {
    return u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort());
  }

  /** The path and query of a URI, for messages. */
  public static String path(URI u) {
    return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
  }

  /** Plain HTTP is refused except to a loopback host (test servers); everything real goes over HTTPS. */
  public static URI requireHttps(URI u, String what) {
    Objects.requireNonNull(u, what);
    String host = u.getHost();
    boolean loopback = host != null && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"));
    if (!"https".equalsIgnoreCase(u.getScheme()) && !("http".equalsIgnoreCase(u.getScheme()) && loopback)) {
      throw new IllegalArgumentException(what + " must be an https:// URL (plain http only on loopback), got " + u);
    }
    if (u.getRawUserInfo() != null || u.getRawQuery() != null) {
      throw new IllegalArgumentException(what + " must not carry user info or a query: credentials go in their own settings");
    }
    return u;
  }

  /** Percent-encodes each '/'-separated segment of a path (RFC 3986 unreserved characters kept). */
  public static String encodePath(String path) {
    return java.util.Arrays.stream(path.split("/", -1)).map(HttpSend::encodeSegment)
        .collect(java.util.stream.Collectors.joining("/"));
  }

  public static String encodeSegment(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
