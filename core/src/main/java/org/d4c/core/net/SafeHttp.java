package org.d4c.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * HTTP(S) GET and HEAD with redirects followed by hand (at most {@value #MAX_REDIRECTS}), so that every hop is checked
 * against an {@link AddressPolicy}: a redirect from a public host to a non-public one is refused
 * ({@link RedirectRefusedException}). Only http and https are followed.
 */
public final class SafeHttp {
  public static final int MAX_REDIRECTS = 5;
  private final HttpClient client;
  private final AddressPolicy policy;
  private final Duration timeout;

  public SafeHttp(AddressPolicy policy, Duration timeout) {
    this.policy = policy;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
  }

  /** A refused redirect. */
  public static final class RedirectRefusedException extends IOException {
    public RedirectRefusedException(String message) {
      super(message);
    }
  }

  /** A response: the status, the body (empty for HEAD), the final URL and headers of interest. */
  public record Response(int status, byte[] body, URI finalUri, long contentLength) {}

  public Response get(URI uri, String range, long maxBytes) throws IOException {
    return send(uri, "GET", range, maxBytes);
  }

  public Response head(URI uri) throws IOException {
    return send(uri, "HEAD", null, 0);
  }

  private Response send(URI uri, String method, String range, long maxBytes) throws IOException {
    boolean startPublic = isPublic(uri);
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) throw new IOException("not an http(s) URL: " + current);
      if (hop > 0 && startPublic && !isPublic(current)) {
        throw new RedirectRefusedException("refused redirect from the public mirror " + uri.getHost() + " to the non-public address "
            + current.getHost());
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(timeout).method(method, HttpRequest.BodyPublishers.noBody());
      if (range != null) b.header("Range", range);
      HttpResponse<InputStream> r;
      try {
        r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
      try (InputStream in = r.body()) {
        int code = r.statusCode();
        if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
          String loc = r.headers().firstValue("Location").orElseThrow(() -> new IOException("redirect without Location from " + uri));
          current = current.resolve(loc);
          continue;
        }
        long len = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        byte[] body = method.equals("HEAD") ? new byte[0] : in.readNBytes((int) Math.min(maxBytes, Integer.MAX_VALUE - 8));
        return new Response(code, body, current, len);
      }
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
  }

  /** True when every address the host resolves to is public under the policy. */
  boolean isPublic(URI uri) throws IOException {
    String host = uri.getHost();
    if (host == null) throw new IOException("no host in " + uri);
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new IOException("unknown host " + host);
    }
    for (InetAddress a : all) if (!policy.isPublic(host, a)) return false;
    return true;
  }
}
