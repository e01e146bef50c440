package org.d4c.core.web;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client address: {@code perSecond} tokens a second up to {@code burst}. Buckets that are full
 * again are dropped on the next sweep, so the map stays as small as the set of clients active in the last seconds.
 */
final class RateLimiter {
  /** The outcome: allowed or not, tokens left, and seconds until a token is back. */
  record Decision(boolean allowed, int remaining, int retryAfterSeconds) {}

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

  RateLimiter(int perSecond, int burst) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
  }

  Decision take(String client) {
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

  int burst() {
    return burst;
  }

  /** Seconds for an empty bucket to fill again (the window of the RateLimit header). */
  int windowSeconds() {
    return Math.max(1, (int) Math.ceil(burst / perNano / 1e9));
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
