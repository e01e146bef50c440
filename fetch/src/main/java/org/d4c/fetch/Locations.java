package org.d4c.fetch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks a dataset's HTTP locations by predicted completion time (size ÷ expected throughput) and leaves out the ones
 * the status service holds out (corrupt, down, stale, an open incident). A location the status service has no
 * throughput for is expected to do as well as the median of those it has (or equally well, when none has one).
 */
public final class Locations {
  private Locations() {}

  /** One place the dataset's root folder is served from: {@code folder} + a file's path is its URL. */
  public record Location(String id, String folder, Double throughputBps, String state, boolean excluded, String why) {
    public Location withHealth(LocationHealth.Health h) {
      if (h == null) return this;
      return new Location(id, folder, h.throughputBps(), h.state(), !h.routable(), h.routable() ? null : h.why());
    }
  }

  /** Usable locations, best first; the excluded ones are returned in {@code excluded}. */
  public record Ranking(List<Location> ranked, List<Location> excluded) {}

  public static Ranking rank(List<Location> all, long size) {
    List<Location> usable = new ArrayList<>();
    List<Location> out = new ArrayList<>();
    for (Location l : all) (l.excluded() ? out : usable).add(l);
    double[] known = usable.stream().filter(l -> l.throughputBps() != null && l.throughputBps() > 0)
        .mapToDouble(Location::throughputBps).sorted().toArray();
    double median = known.length == 0 ? 1 : known[known.length / 2];
    usable.sort(Comparator.<Location>comparingDouble(l -> predictedSeconds(l, size, median)).thenComparing(Location::id));
    return new Ranking(List.copyOf(usable), List.copyOf(out));
  }

  static double predictedSeconds(Location l, long size, double fallbackBps) {
    double bps = l.throughputBps() != null && l.throughputBps() > 0 ? l.throughputBps() : fallbackBps;
    return size / bps;
  }
}
