package org.d4c.core.web;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client address: {@code perSecond} tokens a second up to {@code burst}. Buckets that are full
 * again are dropped on the next sweep, so the map stays as small as the set of clients active in the last seconds.
 * Kept in memory only: no address is written anywhere. The one limiter of d4c's servers: {@link WebServer} limits
 * every request with it, and an endpoint with a stricter budget (the monitor's reports) uses a second one.
 */
public final class RateLimiter {
  /** The outcome: allowed or not, tokens left, and seconds until a token is back. */
  public record Decision(boolean allowed, int remaining, int retryAfterSeconds) {}

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  private final double perNano;
  private final int burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile long lastSweep = System.nanoTime();

  public RateLimiter(int perSecond, int burst) {
    this(perSecond, burst, "default");
  }

  private final String name;

  /** {@code name}: the policy name in the {@code RateLimit} headers. */
  public RateLimiter(double perSecond, int burst, String name) {
    if (!(perSecond > 0) || burst < 1) throw new IllegalArgumentException("a rate limit needs a positive rate and burst");
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.name = name;
  }

  /** {@code perMinute} a minute per client, in bursts of {@code burst}. */
  public static RateLimiter perMinute(int perMinute, int burst, String name) {
    return new RateLimiter(perMinute / 60.0, burst, name);
  }

  /** Takes one token for {@code client} (its address) and says whether the request may go on. */
  public Decision take(String client) {
    long now = System.nanoTime();
    if (now - lastSweep > 10_000_000_000L) sweep(now);
    Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.last) * perNano);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return new Decision(true, (int) b.tokens, 0);
      }
      int wait = (int) Math.ceil((1 - b.tokens) / perNano / 1e9);
      return new Decision(false, 0, Math.max(1, wait));
    }
  }

  public int burst() {
    return burst;
  }

  /** Seconds for an empty bucket to fill again (the window of the RateLimit header). */
  public int windowSeconds() {
    return Math.max(1, (int) Math.ceil(burst / perNano / 1e9));
  }

  /**
   * Puts the {@code RateLimit-Policy} and {@code RateLimit} headers (IETF httpapi draft) for a decision, and
   * {@code Retry-After} when refused.
   */
  public void headers(Decision d, org.eclipse.jetty.http.HttpFields.Mutable headers) {
    headers.put("RateLimit-Policy", "\"" + name + "\";q=" + burst + ";w=" + windowSeconds());
    headers.put("RateLimit", "\"" + name + "\";r=" + d.remaining() + (d.allowed() ? "" : ";t=" + d.retryAfterSeconds()));
    if (!d.allowed()) headers.put(org.eclipse.jetty.http.HttpHeader.RETRY_AFTER, d.retryAfterSeconds());
  }

  private void sweep(long now) {
    lastSweep = now;
    buckets.entrySet().removeIf(e -> {
      Bucket b = e.getValue();
      synchronized (b) {
        return b.tokens + (now - b.last) * perNano >= burst;
      }
    });
  }
}
