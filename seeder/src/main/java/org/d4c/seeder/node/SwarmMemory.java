package org.d4c.seeder.node;

import java.time.Duration;
import java.time.Instant;

/**
 * Per-piece peer counts of one torrent that rise at once but fall only after staying lower for a while.
 *
 * <p>libtorrent reports the peers connected right now. Connections come and go (a recheck or pause closes all of
 * them, a peer reconnects only after its back-off), and a plan that followed every dip would free and fetch the
 * same pieces over and over. A count is therefore lowered only once the higher value has not been seen for the
 * memory window; a peer that really left is forgotten after that window.
 */
final class SwarmMemory {
  private final long windowMillis;
  private int[] count = new int[0];
  private long[] seenAt = new long[0]; // when count[i] was last observed (at least that high)

  SwarmMemory(Duration window) {
    this.windowMillis = window.toMillis();
  }

  /**
   * Takes the counts observed at {@code now}; returns the remembered counts (a copy). {@code observed} null or of
   * another length than before (no piece picker yet, a new torrent) resets the memory to it, or to nothing.
   */
  int[] update(int[] observed, Instant now) {
    long t = now.toEpochMilli();
    if (observed == null || observed.length == 0) return count.clone();
    if (observed.length != count.length) {
      count = observed.clone();
      seenAt = new long[observed.length];
      java.util.Arrays.fill(seenAt, t);
      return count.clone();
    }
    for (int i = 0; i < observed.length; i++) {
      if (observed[i] >= count[i] || t - seenAt[i] >= windowMillis) {
        count[i] = observed[i];
        seenAt[i] = t;
      }
    }
    return count.clone();
  }
}
