package org.d4c.seeder.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides which pieces this node stores. Pure Java: no libtorrent, no disk, no clock — the same input gives the same
 * plan.
 *
 * <p>For every piece, {@code copies} = peers in the swarm that have it (this node excluded) + healthy HTTP mirrors of
 * its torrent (a healthy mirror holds every piece; a down or corrupt one adds nothing) + the published hint's count.
 *
 * <ul>
 *   <li>A piece this node holds that has no other copy is <b>pinned</b>: always kept, whatever the budget.</li>
 *   <li>{@link Mode#SMART}: the other pieces, rarest first (fewest copies); among equally rare pieces the ones already
 *       held come first (a held piece is freed only for a strictly rarer one, so plans do not flap), then the piece in
 *       the longest run of consecutive equally-rare pieces (the largest gap, as BEP 19 suggests), then torrent order
 *       (by id) and piece index. Pieces are taken while their cost fits the budget.</li>
 *   <li>{@link Mode#FULL}: whole torrents, most at risk first (fewest copies of their rarest piece, then highest
 *       {@link Risk#score}, then id), each taken when all of it fits.</li>
 * </ul>
 *
 * <p>A piece's cost is what it may occupy on disk: its bytes rounded up to whole blocks plus one block for every file
 * edge inside it (partial blocks at file boundaries), unless the caller gives exact costs.
 */
public final class Planner {
  public static final int BLOCK = 4096;
  static final int MAX_COPIES = 1023;
  static final int MAX_GAP = (1 << 22) - 1;

  public enum Mode { FULL, SMART }

  /**
   * One torrent as the planner sees it.
   *
   * @param id the v1 info-hash (the sort key)
   * @param pieceLength bytes per piece (the last piece may be shorter)
   * @param totalSize bytes of the torrent
   * @param swarm per piece, peers that have it (null: none known)
   * @param healthyMirrors HTTP mirrors that answered with the right bytes
   * @param hint per piece, copies the published hint declares (null: no hint)
   * @param held pieces this node has verified on disk
   * @param cost per piece, bytes on disk (null: computed from the piece length)
   */
  public record Torrent(String id, int pieceLength, long totalSize, int[] swarm, int healthyMirrors, int[] hint, BitSet held,
      long[] cost) {
    public Torrent {
      Objects.requireNonNull(id, "id");
      if (pieceLength <= 0) throw new IllegalArgumentException("pieceLength must be > 0");
      held = held == null ? new BitSet() : held;
    }

    public int numPieces() {
      return (int) ((totalSize + pieceLength - 1) / pieceLength);
    }

    public long pieceSize(int i) {
      return i < numPieces() - 1 ? pieceLength : totalSize - (long) pieceLength * (numPieces() - 1);
    }

    public long cost(int i) {
      if (cost != null) return cost[i];
      return (pieceSize(i) + BLOCK - 1) / BLOCK * BLOCK + BLOCK;
    }

    public int copies(int i) {
      long c = (long) healthyMirrors + (swarm == null || i >= swarm.length ? 0 : Math.max(0, swarm[i]))
          + (hint == null || i >= hint.length ? 0 : Math.max(0, hint[i]));
      return (int) Math.min(c, Integer.MAX_VALUE);
    }
  }

  /** How much a torrent is at risk: its rarest piece's copies, pieces with at most one copy, and a 0..1 score. */
  public record Risk(int minCopies, int atRiskPieces, double score) {}

  /** The result: wanted pieces per torrent id (sorted), the bytes they may take, pinned bytes, and the risks. */
  public record Plan(Map<String, BitSet> wanted, long plannedBytes, long pinnedBytes, boolean pinnedOverBudget,
      Map<String, Risk> risk) {
    public int wantedCount(String id) {
      BitSet b = wanted.get(id);
      return b == null ? 0 : b.cardinality();
    }
  }

  private Planner() {}

  public static Plan plan(List<Torrent> input, long budget, Mode mode) {
    List<Torrent> ts = new ArrayList<>(input);
    ts.sort(Comparator.comparing(Torrent::id));
    for (int i = 1; i < ts.size(); i++) {
      if (ts.get(i).id().equals(ts.get(i - 1).id())) throw new IllegalArgumentException("torrent listed twice: " + ts.get(i).id());
    }
    Map<String, BitSet> wanted = new LinkedHashMap<>();
    Map<String, Risk> risks = new LinkedHashMap<>();
    long used = 0;
    // Pinned pieces first: held, and no other copy anywhere.
    for (Torrent t : ts) {
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
      risks.put(t.id(), new Risk(t.numPieces() == 0 ? 0 : min, atRisk, t.numPieces() == 0 ? 0 : sum / t.numPieces()));
    }
    long pinned = used;
    boolean over = pinned > budget;
    if (mode == Mode.FULL) used = full(ts, budget, used, wanted, risks);
    else used = smart(ts, budget, used, wanted);
    return new Plan(wanted, used, pinned, over, risks);
  }

  private static long full(List<Torrent> ts, long budget, long used, Map<String, BitSet> wanted, Map<String, Risk> risks) {
    List<Torrent> order = new ArrayList<>(ts);
    order.sort(Comparator.<Torrent>comparingInt(t -> risks.get(t.id()).minCopies())
        .thenComparing(t -> -risks.get(t.id()).score()).thenComparing(Torrent::id));
    for (Torrent t : order) {
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

  private static long smart(List<Torrent> ts, long budget, long used, Map<String, BitSet> wanted) {
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
      Torrent t = ts.get(k);
      BitSet w = wanted.get(t.id());
      int np = t.numPieces();
      int[] copies = new int[np];
      for (int i = 0; i < np; i++) copies[i] = t.copies(i);
      int runStart = 0;
      for (int i = 1; i <= np; i++) {
        if (i == np || copies[i] != copies[runStart]) {
          int gap = Math.min(i - runStart, MAX_GAP);
          for (int j = runStart; j < i; j++) {
            if (w.get(j)) continue; // pinned
            long c = Math.min(copies[j], MAX_COPIES);
            long notHeld = t.held().get(j) ? 0 : 1;
            keys[n++] = c << 53 | notHeld << 52 | (long) (MAX_GAP - gap) << 30 | (offsets[k] + j);
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
      Torrent t = ts.get(k);
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
