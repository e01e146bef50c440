package org.d4c.monitor.probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.d4c.core.net.AddressPolicy;
import org.d4c.core.net.SafeHttp;

/**
 * Byte-range GETs for the probes, with what a classification needs that a plain client hides: the time to the first
 * byte, the transfer time, {@code Content-Range}'s total size and {@code Retry-After}. Requests go through the
 * project's one client policy, {@link SafeHttp}: redirects from a public location only to public addresses (no SSRF
 * through a mirror). A body longer than asked is cut; a shorter one is a short read.
 */
public final class RangeClient {
  private final SafeHttp http;
  private final Duration timeout;

  public RangeClient(AddressPolicy policy, Duration timeout) {
    this.http = new SafeHttp(policy, timeout);
    this.timeout = timeout;
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
    try (SafeHttp.Stream r = http.open(uri, "Range", "bytes=" + from + "-" + (to - 1), "User-Agent", "d4c-monitor")) {
      long first = System.nanoTime() - t0;
      int code = r.status();
      long retry = r.headers().firstValue("Retry-After").map(RangeClient::seconds).orElse(-1L);
      long total = r.headers().firstValue("Content-Range").map(RangeClient::total)
          .orElse(code == 200 ? r.headers().firstValueAsLong("Content-Length").orElse(-1) : -1);
      byte[] body;
      if (code == 206 || code == 200) {
        if (code == 200 && from > 0) r.body().skipNBytes(from); // a server without ranges: skip to the range
        body = r.body().readNBytes((int) (to - from));
      } else {
        body = new byte[0];
      }
      return new Fetch(code, body, total, retry, first, System.nanoTime() - t0, null, false);
    } catch (SafeHttp.RedirectRefusedException e) {
      return failed(t0, e.getMessage(), true);
    } catch (HttpTimeoutException e) {
      return failed(t0, "timed out after " + timeout.toSeconds() + " s", false);
    } catch (java.io.EOFException e) {
      return failed(t0, "connection closed early", false);
    } catch (IOException e) {
      return failed(t0, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), false);
    }
  }

  private static Fetch failed(long t0, String error, boolean redirect) {
    long t = System.nanoTime() - t0;
    return new Fetch(-1, new byte[0], -1, -1, t, t, error, redirect);
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
