package org.d4c.monitor.web;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client address for one kind of request (reports), kept in memory only: the address is never
 * written anywhere. {@link #take} answers how many seconds the client must wait (0 when allowed).
 */
public final class ClientLimiter {
  private final double perSecond;
  private final int burst;
  private final ConcurrentHashMap<String, double[]> buckets = new ConcurrentHashMap<>();

  public ClientLimiter(int perMinute, int burst) {
    this.perSecond = perMinute / 60.0;
    this.burst = burst;
  }

  public int limit() {
    return burst;
  }

  /** Seconds to wait before the next request is allowed; 0 means allowed (and counted). */
  public long take(String client) {
    long now = System.nanoTime();
    double[] b = buckets.computeIfAbsent(client, k -> new double[] {burst, now});
    synchronized (b) {
      b[0] = Math.min(burst, b[0] + (now - b[1]) / 1e9 * perSecond);
      b[1] = now;
      if (b[0] >= 1) {
        b[0] -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - b[0]) / perSecond);
    }
  }

  public int remaining(String client) {
    double[] b = buckets.get(client);
    return b == null ? burst : (int) Math.floor(b[0]);
  }

  /** Forgets buckets that have refilled (bounded memory under many clients). */
  public void sweep() {
    if (buckets.size() > 100_000) buckets.clear();
  }
}
