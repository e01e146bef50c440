package org.d4c.seeder.plan;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlannerTest {
  static final int P = 16384;
  static final long COST = P + 2 * Planner.BLOCK; // default cost of a full piece

  static Planner.Torrent t(String id, int pieces, int[] swarm, int mirrors, BitSet held) {
    return new Planner.Torrent(id, P, (long) P * pieces, swarm, mirrors, null, held, null);
  }

  static BitSet bits(int... i) {
    BitSet b = new BitSet();
    for (int x : i) b.set(x);
    return b;
  }

  @Test
  void aSpreadGivesEachNodeOtherPiecesAmongEquallyRareOnesButKeepsRarityFirstAndIsDeterministic() {
    int n = 4000;
    int[] swarm = new int[n];
    for (int i = 0; i < 100; i++) swarm[i] = 0; // the rarest: pieces 0-99 (copies 1 with the mirror)
    for (int i = 100; i < n; i++) swarm[i] = 1;
    List<Planner.Torrent> ts = List.of(t("a", n, swarm, 1, null));
    long budget = 600L * (P + Planner.BLOCK); // the 100 rarest, then 500 of the 3,900 equally rare others
    BitSet a = Planner.plan(ts, budget, Planner.Mode.SMART, 11).wanted().get("a");
    BitSet b = Planner.plan(ts, budget, Planner.Mode.SMART, 12).wanted().get("a");
    assertEquals(a, Planner.plan(ts, budget, Planner.Mode.SMART, 11).wanted().get("a"), "the same node gets the same plan");
    for (BitSet w : List.of(a, b)) {
      assertEquals(600, w.cardinality());
      assertEquals(100, w.get(0, 100).cardinality(), "the rarest pieces come first whatever the spread");
    }
    BitSet both = (BitSet) a.clone();
    both.and(b);
    both.clear(0, 100);
    // Without a spread both nodes would take the same 500; with one, two nodes overlap about as two random picks of
    // 500 of 3,900 do (about 64 pieces), and in runs of consecutive pieces.
    assertThat(both.cardinality(), lessThanOrEqualTo(160));
    BitSet none = Planner.plan(ts, budget, Planner.Mode.SMART).wanted().get("a");
    assertEquals(none, Planner.plan(ts, budget, Planner.Mode.SMART, 0).wanted().get("a"));
    int runs = 0;
    for (int i = a.nextSetBit(100); i >= 0; i = a.nextSetBit(a.nextClearBit(i))) runs++;
    assertThat("runs of " + Planner.SPREAD_RUN, runs, lessThanOrEqualTo(500 / Planner.SPREAD_RUN + 4));
  }

  @Test
  void takesTheRarestPiecesFirstAcrossTorrents() {
    // a: mirror healthy (1 copy everywhere) + a peer on pieces 0-1; b: no mirror, one peer everywhere, two on 2-3.
    var a = t("a", 4, new int[] {1, 1, 0, 0}, 1, null);
    var b = t("b", 4, new int[] {1, 1, 2, 2}, 0, null);
    Planner.Plan plan = Planner.plan(List.of(a, b), 4 * COST, Planner.Mode.SMART);
    assertEquals(bits(2, 3), plan.wanted().get("a"));
    assertEquals(bits(0, 1), plan.wanted().get("b"));
    assertEquals(1, plan.risk().get("b").minCopies());
    assertEquals(1, plan.risk().get("a").minCopies());
  }

  @Test
  void aPieceNoSourceHasTakesNoBudget() {
    // b's pieces 0-1 have no copy anywhere (no mirror, no peer): they cannot be fetched, so a's rare pieces are taken.
    var a = t("a", 4, new int[] {1, 1, 0, 0}, 1, null);
    var b = t("b", 4, new int[] {0, 0, 1, 1}, 0, null);
    Planner.Plan plan = Planner.plan(List.of(a, b), 4 * COST, Planner.Mode.SMART);
    assertEquals(bits(2, 3), plan.wanted().get("a"));
    assertEquals(bits(2, 3), plan.wanted().get("b"));
    assertEquals(0, plan.risk().get("b").minCopies(), "still reported as the most at risk");
  }

  @Test
  void tieBreakIsTheLargestGap() {
    // copies: 1 at piece 0, then 2 at 1, then 1 at 2..5 (a run of 4), 2 at 6, 1 at 7
    var a = t("a", 8, new int[] {1, 2, 1, 1, 1, 1, 2, 1}, 0, null);
    Planner.Plan plan = Planner.plan(List.of(a), 4 * COST, Planner.Mode.SMART);
    assertEquals(bits(2, 3, 4, 5), plan.wanted().get("a"));
  }

  @Test
  void neverExceedsTheBudgetAndFillsIt() {
    Random r = new Random(3);
    for (int round = 0; round < 200; round++) {
      List<Planner.Torrent> ts = new ArrayList<>();
      int n = 1 + r.nextInt(5);
      for (int k = 0; k < n; k++) {
        int pieces = 1 + r.nextInt(40);
        int[] swarm = new int[pieces];
        for (int i = 0; i < pieces; i++) swarm[i] = r.nextInt(4);
        ts.add(new Planner.Torrent("t" + k, P, (long) P * pieces, swarm, r.nextInt(2), null, new BitSet(), null));
      }
      long budget = r.nextInt(60) * COST;
      Planner.Plan plan = Planner.plan(ts, budget, Planner.Mode.SMART);
      long used = 0;
      int maxTaken = -1;
      int minSkipped = Integer.MAX_VALUE;
      for (Planner.Torrent t : ts) {
        for (int i = 0; i < t.numPieces(); i++) {
          if (plan.wanted().get(t.id()).get(i)) {
            used += t.cost(i);
            maxTaken = Math.max(maxTaken, t.copies(i));
          } else if (t.copies(i) > 0) { // a piece with no copy anywhere is never a candidate
            minSkipped = Math.min(minSkipped, t.copies(i));
          }
        }
      }
      assertEquals(plan.plannedBytes(), used);
      assertThat(used, lessThanOrEqualTo(budget));
      if (minSkipped != Integer.MAX_VALUE && maxTaken >= 0) {
        assertThat("a rarer piece was left out for a more common one", maxTaken, lessThanOrEqualTo(minSkipped));
      }
      long left = budget - used;
      assertTrue(minSkipped == Integer.MAX_VALUE || left < COST, "budget not filled: " + left + " bytes left");
    }
  }

  @Test
  void keepsThePieceThisNodeIsTheLastHolderOfEvenOverBudget() {
    var a = t("a", 4, new int[] {0, 0, 0, 0}, 0, bits(0, 1, 2));
    Planner.Plan plan = Planner.plan(List.of(a), COST, Planner.Mode.SMART);
    assertEquals(bits(0, 1, 2), plan.wanted().get("a"));
    assertTrue(plan.pinnedOverBudget());
  }

  @Test
  void freesACommonPieceForARarerOneButNotForAnEquallyRareOne() {
    // held piece 0 of a has 2 copies; b piece 0 has one: a's piece goes.
    var a = t("a", 2, new int[] {2, 2}, 0, bits(0));
    var b = t("b", 1, new int[] {1}, 0, null);
    Planner.Plan plan = Planner.plan(List.of(a, b), COST, Planner.Mode.SMART);
    assertEquals(bits(0), plan.wanted().get("b"));
    assertEquals(new BitSet(), plan.wanted().get("a"));
    // equally rare: the held piece stays (no flapping), even though b's piece sits in a larger gap.
    var a2 = t("a", 1, new int[] {1}, 0, bits(0));
    var b2 = t("b", 5, new int[] {1, 1, 1, 1, 1}, 0, null);
    Planner.Plan p2 = Planner.plan(List.of(a2, b2), COST, Planner.Mode.SMART);
    assertEquals(bits(0), p2.wanted().get("a"));
  }

  @Test
  void replansWhenAPeerLeavesOrAMirrorRecovers() {
    var a = t("a", 2, new int[] {2, 1}, 0, null);
    var b = t("b", 1, new int[] {2}, 0, null);
    assertEquals(bits(1), Planner.plan(List.of(a, b), COST, Planner.Mode.SMART).wanted().get("a"));
    // a's two mirrors recover: every piece of a has two copies more, b's piece is now the rarest
    var recovered = t("a", 2, new int[] {2, 1}, 2, null);
    Planner.Plan p = Planner.plan(List.of(recovered, b), COST, Planner.Mode.SMART);
    assertEquals(bits(0), p.wanted().get("b"));
    // b's second peer leaves: its piece has one copy, fewer than any of a's
    Planner.Plan left = Planner.plan(List.of(t("a", 2, new int[] {2, 1}, 0, null), t("b", 1, new int[] {1}, 0, bits(0))), COST,
        Planner.Mode.SMART);
    assertEquals(bits(0), left.wanted().get("b"), "held and as rare as a's rarest: it stays");
  }

  @Test
  void fullModeTakesWholeTorrentsMostAtRiskFirst() {
    var safe = t("a", 4, new int[] {3, 3, 3, 3}, 1, null);
    var risky = t("b", 4, new int[] {0, 1, 1, 1}, 0, null);
    var big = t("c", 8, new int[8], 0, null);
    Planner.Plan plan = Planner.plan(List.of(safe, risky, big), 8 * COST, Planner.Mode.FULL);
    assertEquals(8, plan.wantedCount("c"), "c: every piece with no copy, and it fits");
    assertEquals(0, plan.wantedCount("b"), "b no longer fits");
    assertEquals(0, plan.wantedCount("a"));
    Planner.Plan more = Planner.plan(List.of(safe, risky, big), 12 * COST, Planner.Mode.FULL);
    assertEquals(4, more.wantedCount("b"));
    assertEquals(0, more.wantedCount("a"));
  }

  @Test
  void hintsAddCopies() {
    var a = new Planner.Torrent("a", P, 2L * P, new int[] {1, 1}, 0, new int[] {5, 0}, new BitSet(), null);
    assertEquals(bits(1), Planner.plan(List.of(a), COST, Planner.Mode.SMART).wanted().get("a"));
  }

  @Test
  void sameInputSamePlan() {
    Random r = new Random(9);
    List<Planner.Torrent> ts = new ArrayList<>();
    for (int k = 0; k < 20; k++) ts.add(t(String.format("%02d", 19 - k), 50, null, 1, null));
    Planner.Plan a = Planner.plan(ts, 100 * COST, Planner.Mode.SMART);
    java.util.Collections.shuffle(ts, r);
    Planner.Plan b = Planner.plan(ts, 100 * COST, Planner.Mode.SMART);
    assertThat(a.wanted(), equalTo(b.wanted()));
    assertFalse(a.wanted().get("00").isEmpty(), "ties go to the first torrent id");
  }

  /** A random catalog shaped to hit the planner's edges: runs, partial last pieces, free pieces, huge copy counts. */
  static List<Planner.Torrent> randomCatalog(Random r) {
    List<Planner.Torrent> ts = new ArrayList<>();
    int n = r.nextInt(7);
    for (int k = 0; k < n; k++) {
      int pieceLength = new int[] {1000, Planner.BLOCK, P}[r.nextInt(3)];
      int pieces = r.nextInt(6) == 0 ? r.nextInt(2) : 1 + r.nextInt(60);
      long size = pieces == 0 ? 0 : (long) pieceLength * (pieces - 1) + 1 + r.nextInt(pieceLength);
      int[] swarm = r.nextInt(5) == 0 ? null : new int[Math.max(0, pieces + r.nextInt(5) - 2)];
      int top = new int[] {1, 3, 6, 2000}[r.nextInt(4)];
      for (int i = 0; swarm != null && i < swarm.length; i++) {
        swarm[i] = i > 0 && r.nextInt(3) > 0 ? swarm[i - 1] : r.nextInt(top + 2) - 1; // runs; -1 counts as 0
        if (r.nextInt(50) == 0) swarm[i] = Planner.MAX_COPIES - 1 + r.nextInt(3); // around the cap
      }
      int[] hint = null;
      if (r.nextInt(4) == 0) {
        hint = new int[r.nextInt(pieces + 2)];
        for (int i = 0; i < hint.length; i++) hint[i] = r.nextInt(3) - 1;
      }
      BitSet held = new BitSet();
      int density = r.nextInt(4);
      for (int i = 0; i < pieces; i++) if (r.nextInt(4) < density) held.set(i);
      long[] cost = null;
      if (r.nextBoolean()) {
        cost = new long[pieces];
        for (int i = 0; i < pieces; i++) cost[i] = r.nextInt(5) * 100L; // small values: budgets often land exactly
      }
      ts.add(new Planner.Torrent(String.format("%08x", r.nextInt()), pieceLength, size, swarm, r.nextInt(3), hint, held, cost));
    }
    return ts;
  }

  static void assertSamePlan(Planner.Plan expected, Planner.Plan actual, String what) {
    assertEquals(expected.wanted(), actual.wanted(), what);
    assertEquals(expected.plannedBytes(), actual.plannedBytes(), what);
    assertEquals(expected.pinnedBytes(), actual.pinnedBytes(), what);
    assertEquals(expected.pinnedOverBudget(), actual.pinnedOverBudget(), what);
    assertEquals(expected.risk(), actual.risk(), what);
  }

  @Test
  void samePlansAsTheReferenceImplementation() {
    Random r = new Random(11);
    for (int round = 0; round < 5000; round++) {
      List<Planner.Torrent> ts = randomCatalog(r);
      if (ts.stream().map(Planner.Torrent::id).distinct().count() < ts.size()) continue;
      long total = 0;
      for (Planner.Torrent t : ts) for (int i = 0; i < t.numPieces(); i++) total += t.cost(i);
      long budget = switch (r.nextInt(8)) {
        case 0 -> 0;
        case 1 -> -1;
        case 2 -> Long.MAX_VALUE;
        case 3 -> total;
        default -> total == 0 ? r.nextInt(1000) : r.nextLong(total + 1);
      };
      for (Planner.Mode mode : Planner.Mode.values()) {
        assertSamePlan(ReferencePlanner.plan(ts, budget, mode), Planner.plan(ts, budget, mode),
            "round " + round + ", " + mode + ", budget " + budget);
      }
    }
  }

  @Test
  void samePlansAsTheReferenceOnTheBenchmarkCatalog() {
    List<Planner.Torrent> ts = PlannerBench.catalog(100, 4000, 42);
    long total = 100L * 4000 * (1 << 20);
    for (long budget : new long[] {0, total / 100, total / 10, total / 2, total, 2 * total}) {
      assertSamePlan(ReferencePlanner.plan(ts, budget, Planner.Mode.SMART), Planner.plan(ts, budget, Planner.Mode.SMART),
          "budget " + budget);
    }
  }

  @Test
  void refusesNegativeMirrorCountsAndCosts() {
    assertThrows(IllegalArgumentException.class, () -> t("a", 1, null, -1, null));
    var negative = new Planner.Torrent("a", P, P, null, 0, null, null, new long[] {-1});
    assertThrows(IllegalArgumentException.class, () -> Planner.plan(List.of(negative), COST, Planner.Mode.SMART));
  }


  // ---------------------------------------------------------------- holders' agreement

  static final long EXACT = P + Planner.BLOCK; // what a full piece costs by default: budgets below leave no spare room

  /** One synchronous round: every node plans from the same holdings, then holds exactly its plan (mirrors up). */
  static BitSet[] round(BitSet[] held, long[] keys, int pieces, long budget, int mirrors) {
    int n = held.length;
    BitSet[] next = new BitSet[n];
    for (int me = 0; me < n; me++) {
      int[] swarm = new int[pieces];
      List<Long> ks = new ArrayList<>();
      List<BitSet> ps = new ArrayList<>();
      for (int o = 0; o < n; o++) {
        if (o == me) continue;
        for (int i = held[o].nextSetBit(0); i >= 0; i = held[o].nextSetBit(i + 1)) swarm[i]++;
        ks.add(keys[o]);
        ps.add(held[o]);
      }
      boolean[] node = new boolean[ks.size()];
      java.util.Arrays.fill(node, true);
      Planner.Agreement ag = Planner.agreement(keys[me], "a", pieces, ks.stream().mapToLong(Long::longValue).toArray(),
          ps.toArray(new BitSet[0]), node);
      Planner.Torrent t = new Planner.Torrent("a", P, (long) P * pieces, swarm, mirrors, null, (BitSet) held[me].clone(), null,
          ag.ahead(), ag.before());
      next[me] = Planner.plan(List.of(t), budget, Planner.Mode.SMART, keys[me]).wanted().get("a");
    }
    return next;
  }

  @Test
  void theHoldersOfAPieceAgreeWhichOfThemKeepsIt() {
    // Three nodes hold the same 16 pieces (one run) and have room for 16 pieces each; 32 more pieces nobody holds.
    int pieces = 48;
    long[] keys = {101, 202, 303};
    BitSet[] held = {bits(), bits(), bits()};
    for (BitSet b : held) b.set(0, 16);
    BitSet[] next = held;
    for (int round = 0; round < 6; round++) next = round(next, keys, pieces, 16 * EXACT, 1);
    // Exactly one keeps the shared run: the one ranked first by every node's reckoning; the two others took the runs
    // nobody held (each first taken by the node ranked first among those lacking it).
    long tk = Planner.torrentKey("a");
    int first = 0;
    for (int i = 1; i < 3; i++) if (Planner.ranksBefore(keys[i], keys[first], tk, 0)) first = i;
    for (int i = 0; i < 3; i++) {
      assertEquals(i == first ? 16 : 0, next[i].get(0, 16).cardinality(), "node " + i + " (first holder: " + first + ")");
    }
    BitSet union = new BitSet();
    for (BitSet x : next) union.or(x);
    assertThat(union.cardinality(), equalTo(16 + 32));
    // Without the agreement (the older rule), two holders of a run both keep it while pieces with one copy fewer have
    // no holder: the overlap never resolves.
    BitSet keep = Planner.plan(List.of(t("a", pieces, sw(pieces, 0, 16, 1), 1, held[0])), 16 * EXACT, Planner.Mode.SMART, 7)
        .wanted().get("a");
    assertEquals(16, keep.get(0, 16).cardinality());
  }

  static int[] sw(int n, int from, int to, int c) {
    int[] s = new int[n];
    java.util.Arrays.fill(s, from, to, c);
    return s;
  }

  @Test
  void nodesWithATimesThirdOfTheCatalogEachConvergeOnHoldingsThatCoverItAndStayThere() {
    int pieces = 480;
    long budget = 176 * COST; // a third (160 pieces) and a tenth for slack
    Random r = new Random(5);
    for (int trial = 0; trial < 20; trial++) {
      long[] keys = {r.nextLong(), r.nextLong(), r.nextLong()};
      BitSet[] held = new BitSet[3];
      for (int i = 0; i < 3; i++) {
        held[i] = new BitSet();
        while (held[i].cardinality() < 176) held[i].set(r.nextInt(pieces)); // random, overlapping holdings
      }
      int rounds = 0;
      BitSet[] prev = null;
      while (rounds < 10 && (prev == null || !java.util.Arrays.equals(prev, held))) {
        prev = held;
        held = round(held, keys, pieces, budget, 1);
        rounds++;
      }
      assertTrue(java.util.Arrays.equals(prev, held), "trial " + trial + ": the plans settle (no flapping) in " + rounds + " rounds");
      BitSet union = new BitSet();
      for (BitSet b : held) union.or(b);
      assertEquals(pieces, union.cardinality(), "trial " + trial + ": every piece held by some node");
      // With mirrors gone the plans still keep every piece somewhere (no holder frees a piece a higher one relies on).
      BitSet[] down = round(held, keys, pieces, budget, 0);
      BitSet u2 = new BitSet();
      for (BitSet b : down) u2.or(b);
      for (int i = 0; i < 3; i++) down[i].and(held[i]); // only held pieces can stay without a source
      BitSet kept = new BitSet();
      for (BitSet b : down) kept.or(b);
      assertEquals(pieces, kept.cardinality(), "trial " + trial + ": mirrors down, every piece still kept by a holder");
    }
  }

  @Test
  void theAgreementCountsHoldersAndSmartNodesRankedBefore() {
    long tk = Planner.torrentKey("a");
    BitSet[] has = {bits(0, 16, 17), bits(0, 40), bits(0, 16, 40)};
    Planner.Agreement a = Planner.agreement(1, "a", 48, new long[] {2, 3, 1}, has, new boolean[] {true, false, true});
    for (int i : new int[] {0, 16, 17, 40, 47}) {
      boolean two = Planner.ranksBefore(2, 1, tk, i);
      // 3 is a plain client: what it holds always counts as held before this node.
      assertEquals((two && has[0].get(i) ? 1 : 0) + (has[1].get(i) ? 1 : 0), a.ahead()[i], "holders before, piece " + i);
      assertEquals(two && !has[0].get(i) ? 1 : 0, a.before()[i], "Smart Nodes before that lack it (3 is a plain client, 1 is this node), piece " + i);
    }
    assertEquals(Planner.score(9, tk, 0), Planner.score(9, tk, 15), "one score per run");
    assertFalse(Planner.ranksBefore(1, 1, tk, 0));
  }

  @Test
  void ofTheNodesLackingARarePieceOnlyTheFirstInRankTakesIt() {
    // 10 nodes with room for one run each; nodes 2k and 2k+1 hold run k + 1; run 0 has no copy. Every second holder
    // alone would free its run for run 0 (a herd of 5); with the agreement at most HERD of them do.
    int pieces = 16 * 6;
    int n = 10;
    long[] keys = new long[n];
    BitSet[] held = new BitSet[n];
    for (int i = 0; i < n; i++) {
      keys[i] = 1000 + i;
      held[i] = new BitSet();
      held[i].set(16 * (i / 2 + 1), 16 * (i / 2 + 2));
    }
    BitSet[] next = round(held, keys, pieces, 16 * EXACT, 1);
    int takers = 0;
    for (BitSet b : next) if (b.get(0, 16).cardinality() > 0) takers++;
    assertThat("nodes that take the run nobody holds at once", takers, org.hamcrest.Matchers.both(
        org.hamcrest.Matchers.greaterThanOrEqualTo(1)).and(lessThanOrEqualTo(Planner.HERD)));
    for (int round = 0; round < 5; round++) next = round(next, keys, pieces, 16 * EXACT, 1);
    BitSet union = new BitSet();
    for (BitSet b : next) union.or(b);
    assertEquals(pieces, union.cardinality(), "then every run has a holder");
  }

  static BitSet range(int from, int to) {
    BitSet b = new BitSet();
    b.set(from, to);
    return b;
  }

  /** The Smart Nodes of {@code keys} in rank order for the run holding {@code piece} ({@link Planner#ranksBefore}). */
  private static List<Long> inRank(long[] keys, String torrent, int piece) {
    List<Long> order = new ArrayList<>();
    for (long k : keys) order.add(k);
    long tk = Planner.torrentKey(torrent);
    order.sort((a, b) -> a.equals(b) ? 0 : Planner.ranksBefore(a, b, tk, piece) ? -1 : 1);
    return order;
  }

  @Test
  void aPieceBelowTwoCopiesGoesToANodeWhoseRoomTheSwarmDoesNotNeed() {
    // Run 1 (pieces 16-31) is held by all four nodes: the third and fourth in rank hold it in excess. Run 0 is held by
    // the first in run 0's rank only. Its second copy must go to the first node in run 0's rank that lacks it and has
    // that excess room, not simply to the first that lacks it (which, with these keys, has no room to spare).
    long[] keys = null;
    long taker = 0;
    for (long base = 100; keys == null; base += 4) {
      long[] k = {base, base + 1, base + 2, base + 3};
      List<Long> run0 = inRank(k, "t", 0);
      List<Long> run1 = inRank(k, "t", 16);
      List<Long> spare = run1.subList(2, 4);
      if (spare.contains(run0.get(1))) continue; // the first lacker has room: would not tell the rules apart
      keys = k;
      taker = run0.stream().skip(1).filter(spare::contains).findFirst().orElseThrow();
    }
    long first = inRank(keys, "t", 0).get(0);
    BitSet[] pieces = new BitSet[4];
    for (int j = 0; j < 4; j++) pieces[j] = keys[j] == first ? range(0, 32) : range(16, 32);
    Planner.Swarm swarm = new Planner.Swarm("t", 16384, 32 * 16384L, null, keys, pieces, new boolean[] {true, true, true, true});
    java.util.Map<Long, BitSet[]> m = Planner.matchSpareRoom(List.of(swarm));
    assertEquals(java.util.Set.of(taker), m.keySet(), "only the node with room to spare is matched");
    assertEquals(range(0, 16), m.get(taker)[0], "it takes the whole run lacking a second copy");

    // A plain client holding run 0 gives it its second copy: nothing is lacking then.
    long[] withClient = java.util.Arrays.copyOf(keys, 5);
    withClient[4] = 7;
    BitSet[] withPieces = java.util.Arrays.copyOf(pieces, 5);
    withPieces[4] = range(0, 16);
    Planner.Swarm full = new Planner.Swarm("t", 16384, 32 * 16384L, null, withClient, withPieces,
        new boolean[] {true, true, true, true, false});
    assertTrue(Planner.matchSpareRoom(List.of(full)).isEmpty(), "every piece has two holders");

    // Room for less than a piece is no room.
    long[] costs = new long[32];
    java.util.Arrays.fill(costs, 0, 16, 1000);
    java.util.Arrays.fill(costs, 16, 32, 10);
    Planner.Swarm dear = new Planner.Swarm("t", 16384, 32 * 16384L, costs, keys, pieces, new boolean[] {true, true, true, true});
    assertTrue(Planner.matchSpareRoom(List.of(dear)).isEmpty(), "160 bytes in excess per node cannot hold a 1,000-byte piece");
  }
}
