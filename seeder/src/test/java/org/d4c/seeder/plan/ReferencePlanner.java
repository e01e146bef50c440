package org.d4c.seeder.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The planner as first written (commit 8acb9a9): every candidate's sort key in one array, one full sort, one pass.
 * Slow but obviously right; {@link PlannerTest} checks that {@link Planner} gives exactly the same plans.
 */
final class ReferencePlanner {
  private ReferencePlanner() {}

  static Planner.Plan plan(List<Planner.Torrent> input, long budget, Planner.Mode mode) {
    List<Planner.Torrent> ts = new ArrayList<>(input);
    ts.sort(Comparator.comparing(Planner.Torrent::id));
    for (int i = 1; i < ts.size(); i++) {
      if (ts.get(i).id().equals(ts.get(i - 1).id())) throw new IllegalArgumentException("torrent listed twice: " + ts.get(i).id());
    }
    Map<String, BitSet> wanted = new LinkedHashMap<>();
    Map<String, Planner.Risk> risks = new LinkedHashMap<>();
    long used = 0;
    // Pinned pieces first: held, and no other copy anywhere.
    for (Planner.Torrent t : ts) {
      BitSet w = new BitSet(t.numPieces());
      wanted.put(t.id(), w);
      int min = Integer.MAX_VALUE;
      int atRisk = 0;
      double sum = 0;
      for (int i = 0; i < t.numPieces(); i++) {
        int c = t.copies(i);
        min = Math.min(min, c);
        if (c <= 1) atRisk++;
        sum += 1.0 / (1 + c);
        if (c == 0 && t.held().get(i)) {
          w.set(i);
          used += t.cost(i);
        }
      }
      risks.put(t.id(), new Planner.Risk(t.numPieces() == 0 ? 0 : min, atRisk, t.numPieces() == 0 ? 0 : sum / t.numPieces()));
    }
    long pinned = used;
    boolean over = pinned > budget;
    if (mode == Planner.Mode.FULL) used = full(ts, budget, used, wanted, risks);
    else used = smart(ts, budget, used, wanted);
    return new Planner.Plan(wanted, used, pinned, over, risks);
  }

  private static long full(List<Planner.Torrent> ts, long budget, long used, Map<String, BitSet> wanted, Map<String, Planner.Risk> risks) {
    List<Planner.Torrent> order = new ArrayList<>(ts);
    order.sort(Comparator.<Planner.Torrent>comparingInt(t -> risks.get(t.id()).minCopies())
        .thenComparing(t -> -risks.get(t.id()).score()).thenComparing(Planner.Torrent::id));
    for (Planner.Torrent t : order) {
      BitSet w = wanted.get(t.id());
      long extra = 0;
      for (int i = 0; i < t.numPieces(); i++) if (!w.get(i)) extra += t.cost(i);
      if (used + extra <= budget) {
        w.set(0, t.numPieces());
        used += extra;
      }
    }
    return used;
  }

  private static long smart(List<Planner.Torrent> ts, long budget, long used, Map<String, BitSet> wanted) {
    long total = 0;
    int[] offsets = new int[ts.size() + 1];
    for (int k = 0; k < ts.size(); k++) {
      total += ts.get(k).numPieces();
      if (total >= (1L << 30)) throw new IllegalArgumentException("more than 2^30 pieces in one plan");
      offsets[k + 1] = (int) total;
    }
    long[] keys = new long[(int) total];
    int n = 0;
    for (int k = 0; k < ts.size(); k++) {
      Planner.Torrent t = ts.get(k);
      BitSet w = wanted.get(t.id());
      int np = t.numPieces();
      int[] copies = new int[np];
      for (int i = 0; i < np; i++) copies[i] = t.copies(i);
      int runStart = 0;
      for (int i = 1; i <= np; i++) {
        if (i == np || copies[i] != copies[runStart]) {
          int gap = Math.min(i - runStart, Planner.MAX_GAP);
          for (int j = runStart; j < i; j++) {
            if (w.get(j)) continue; // pinned
            if (copies[j] == 0 && !t.held().get(j)) continue; // no known source: cannot be fetched
            long c = Math.min(copies[j], (Planner.BUCKET_RANKS - 1) / Planner.HERD); // the buckets tell apart 255 copies
            long notHeld = t.held().get(j) ? 0 : 1;
            keys[n++] = c << 53 | notHeld << 52 | (long) (Planner.MAX_GAP - gap) << 30 | (offsets[k] + j);
          }
          runStart = i;
        }
      }
    }
    Arrays.sort(keys, 0, n);
    for (int x = 0; x < n && used < budget; x++) {
      int global = (int) (keys[x] & ((1L << 30) - 1));
      int k = Arrays.binarySearch(offsets, global);
      k = k >= 0 ? k : -k - 2;
      while (offsets[k + 1] <= global) k++;
      Planner.Torrent t = ts.get(k);
      int i = global - offsets[k];
      long cost = t.cost(i);
      if (used + cost <= budget) {
        wanted.get(t.id()).set(i);
        used += cost;
      }
    }
    return used;
  }
}
