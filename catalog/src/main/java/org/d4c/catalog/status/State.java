package org.d4c.catalog.status;

import java.util.Locale;

/**
 * What the status service found at one location for one item. Ordered from best to worst for routing: a reader
 * prefers {@link #VERIFIED}, then {@link #SLOW}, then {@link #REGIONAL} (some probe sites failed, the quorum did not).
 */
public enum State {
  /** The sampled byte ranges matched the torrent's piece hashes (or the file's sha256). */
  VERIFIED,
  /** Verified, but the latency or throughput was below the configured floor. */
  SLOW,
  /** Some probe sites saw it down or corrupt, fewer than the quorum: usable, maybe not from everywhere. */
  REGIONAL,
  /** Not yet probed. */
  UNKNOWN,
  /** The location serves another version: a size that does not match, or the file is missing (404/410). */
  STALE,
  /** The location answered with bytes that do not match the hashes: never take data from it. */
  CORRUPT,
  /** No usable answer: connection refused, timeouts, 5xx, 429 past the budget, a refused redirect. */
  DOWN;

  /** Whether a downloader may use the location (a confirmed report can still hold it out). */
  public boolean usable() {
    return this == VERIFIED || this == SLOW || this == REGIONAL;
  }

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static State of(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown state " + s + " (expected verified, slow, stale, corrupt, down, regional or unknown)");
    }
  }

  /** The worse of two states, for summarising a location over its items. */
  public static State worse(State a, State b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }
}
