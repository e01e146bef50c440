package org.d4c.monitor.quorum;

import java.util.Map;
import java.util.TreeMap;
import org.d4c.catalog.status.State;

/**
 * Combines the probe sites' verdicts on one location × item. A location is called corrupt, stale or down only when
 * at least {@code quorum} sites saw it so; when fewer did, it is {@link State#REGIONAL} (usable, but not from
 * everywhere). With one site and a quorum of one, the site's own verdict stands.
 */
public final class Quorum {
  private Quorum() {}

  public static State combine(Map<String, State> sites, int quorum) {
    int corrupt = 0, stale = 0, down = 0, good = 0, slow = 0;
    for (State s : sites.values()) {
      switch (s) {
        case CORRUPT -> corrupt++;
        case STALE -> stale++;
        case DOWN -> down++;
        case VERIFIED, REGIONAL -> good++;
        case SLOW -> { good++; slow++; }
        default -> { }
      }
    }
    int bad = corrupt + stale + down;
    if (corrupt >= quorum) return State.CORRUPT;
    if (stale >= quorum) return State.STALE;
    if (bad >= quorum) return State.DOWN;
    if (bad > 0) return State.REGIONAL;
    if (good == 0) return State.UNKNOWN;
    return slow * 2 > good ? State.SLOW : State.VERIFIED;
  }

  /** Sorted copy, for output. */
  public static Map<String, State> sorted(Map<String, State> sites) {
    return new TreeMap<>(sites);
  }
}
