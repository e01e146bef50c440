package org.d4c.monitor.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import org.d4c.core.net.AddressPolicy;

/**
 * Byte-range GETs for the probes, with what a classification needs that a plain client hides: the time to the first
 * byte, the transfer time, {@code Content-Range}'s total size and {@code Retry-After}. Redirects are followed by hand
 * and every hop is checked as {@link org.d4c.core.net.SafeHttp} does: from a public location only to public
 * addresses (no SSRF through a mirror). A body longer than asked is cut; a shorter one is a short read.
 */
public final class RangeClient {
  private final HttpClient client;
  private final AddressPolicy policy;
  private final Duration timeout;

  public RangeClient(AddressPolicy policy, Duration timeout) {
    this.policy = policy;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
  }

  /**
   * What one range request gave. {@code error} is set when no HTTP answer came (refused, reset, timeout, refused
   * redirect); {@code totalSize} is -1 when unknown; {@code retryAfterSeconds} -1 when absent.
   */
  public record Fetch(int status, byte[] body, long totalSize, long retryAfterSeconds, long firstByteNanos, long totalNanos,
      String error, boolean redirectRefused) {
    public boolean ok() {
      return error == null && (status == 206 || status == 200);
    }
  }

  /** GET bytes [from, to) of {@code uri}. */
  public Fetch get(URI uri, long from, long to) {
    long t0 = System.nanoTime();
    try {
      boolean startPublic = isPublic(uri);
      URI current = uri;
      for (int hop = 0; hop <= 5; hop++) {
        String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) return failed(t0, "redirect to a non-http(s) URL", true);
        if (hop > 0 && startPublic && !isPublic(current)) {
          return failed(t0, "refused redirect to the non-public address " + current.getHost(), true);
        }
        HttpRequest req = HttpRequest.newBuilder(current).timeout(timeout).GET()
            .header("Range", "bytes=" + from + "-" + (to - 1)).header("User-Agent", "d4c-monitor").build();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        long first = System.nanoTime() - t0;
        try (InputStream in = r.body()) {
          int code = r.statusCode();
          if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
            String loc = r.headers().firstValue("Location").orElse(null);
            if (loc == null) return failed(t0, "redirect without Location", false);
            current = current.resolve(loc);
            continue;
          }
          long retry = r.headers().firstValue("Retry-After").map(RangeClient::seconds).orElse(-1L);
          long total = r.headers().firstValue("Content-Range").map(RangeClient::total)
              .orElse(code == 200 ? r.headers().firstValueAsLong("Content-Length").orElse(-1) : -1);
          byte[] body;
          if (code == 206 || code == 200) {
            if (code == 200 && from > 0) in.skipNBytes(from); // a server without ranges: skip to the range
            body = in.readNBytes((int) (to - from));
          } else {
            body = new byte[0];
          }
          return new Fetch(code, body, total, retry, first, System.nanoTime() - t0, null, false);
        }
      }
      return failed(t0, "more than 5 redirects", false);
    } catch (HttpTimeoutException e) {
      return failed(t0, "timed out after " + timeout.toSeconds() + " s", false);
    } catch (java.io.EOFException e) {
      return failed(t0, "connection closed early", false);
    } catch (IOException e) {
      return failed(t0, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(t0, "interrupted", false);
    }
  }

  private static Fetch failed(long t0, String error, boolean redirect) {
    long t = System.nanoTime() - t0;
    return new Fetch(-1, new byte[0], -1, -1, t, t, error, redirect);
  }

  private boolean isPublic(URI uri) throws IOException {
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

  static long total(String contentRange) {
    int slash = contentRange.lastIndexOf('/');
    if (slash < 0) return -1;
    try {
      return Long.parseLong(contentRange.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static long seconds(String retryAfter) {
    try {
      return Math.max(0, Long.parseLong(retryAfter.trim()));
    } catch (NumberFormatException e) {
      try {
        var when = java.time.ZonedDateTime.parse(retryAfter.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, Duration.between(java.time.Instant.now(), when.toInstant()).toSeconds());
      } catch (RuntimeException e2) {
        return -1;
      }
    }
  }
}
