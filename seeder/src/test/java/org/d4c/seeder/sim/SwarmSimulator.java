package org.d4c.seeder.sim;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.d4c.seeder.plan.Planner;

/**
 * Internet-scale simulation of Smart Nodes keeping a large archive alive, with the seeder's real {@link Planner}.
 *
 * <p>Model (one step = one hour):
 * <ul>
 *   <li><b>Catalog</b>: about 50 TB — many small datasets (log-normal sizes, median 2 GB), some medium ones (0.2–1.5 TB)
 *       and a few multi-TB ones; piece sizes by the project's rule ({@code TorrentMaker.pieceSize}: the smallest power
 *       of two from 16 KiB giving at most 4,000 pieces, at most 64 MiB).</li>
 *   <li><b>Mirrors</b>: {@code mirrors} HTTP mirrors holding everything, each down during scheduled outages.</li>
 *   <li><b>Nodes</b>: a budget each; a download rate (bytes per day) shared by the pieces it fetches; a piece can be
 *       fetched while a mirror is up or an online node has it. Churn: an online node goes offline (mean session
 *       {@code onlineHours}), comes back with its pieces (mean {@code offlineHours}); a node leaves for good with
 *       probability {@code leavePerDay} a day and an empty node joins in its place; scheduled mass departures.</li>
 *   <li><b>Knowledge</b>: partial and delayed. Nodes are in {@code groups} neighbourhoods (the peers they are connected
 *       to); a node sees the copies held by online nodes of its own neighbourhood, as they were {@code delaySteps}
 *       ago, plus the healthy mirrors. It re-plans every {@code replanHours} (nodes staggered) and at once when a
 *       mirror's health changes (the seeder probes mirrors every 10 minutes).</li>
 * </ul>
 * Strategies: {@code smart} (d4c's Planner, SMART mode), {@code smart-spread} (the same with a per-node tie-break
 * among equally rare pieces), {@code smart-agree} (the tie-break and the holders' agreement, each node
 * ranking the holders of its pieces among the online nodes it sees by {@link Planner#ranksBefore}), {@code smart-match}
 * (d4c now: the agreement and the spare-room matching, {@link Planner#matchSpareRoom}, computed from the neighbourhood's
 * holdings as they are now), {@code whole} (Academic Torrents' smartnode rule: whole torrents, fewest seeders first,
 * while they fit; never dropped), {@code random} (random pieces until the budget is full; never changed).
 *
 * <p>Output: {@code timeseries.csv} (per step: share of pieces with 0, 1, 2, 3+ copies on online nodes — outside the
 * mirrors —, mirrors up, nodes online, bytes fetched) and {@code summary.csv}, in the output folder. Deterministic
 * for a seed. Run by {@code bench/swarm-sim.sh}.
 */
public final class SwarmSimulator {
  static final long GB = 1_000_000_000L;
  static final long TB = 1000 * GB;

  public enum Strategy { SMART, SMART_SPREAD, SMART_AGREE, SMART_MATCH, WHOLE, RANDOM;
    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** One dataset: its size, piece length, piece count and first global piece index. */
  record Dataset(String id, long size, int pieceLength, int pieces, int offset) {
    long pieceSize(int i) {
      return i < pieces - 1 ? pieceLength : size - (long) pieceLength * (pieces - 1);
    }
  }

  /** A scheduled event: mirror outages ({@code mirror} >= 0) or a mass departure of {@code share} of the nodes. */
  record Event(double startDay, double endDay, int mirror, double share, String label) {}

  /** Everything a run needs. */
  record Params(Strategy strategy, int nodes, long budget, double days, int mirrors, long bytesPerDay, double onlineHours,
      double offlineHours, double leavePerDay, int groups, int delaySteps, int replanHours, List<Event> events, long seed,
      double targetTb, int memoryHours) {}

  /** The project's piece-size rule (publisher's {@code TorrentMaker.pieceSize}). */
  static int pieceSize(long total) {
    long size = 16 * 1024;
    while (size < 64L * 1024 * 1024 && (total + size - 1) / size > 4000) size <<= 1;
    return (int) size;
  }

  /** The catalog: many small datasets, some medium, a few multi-TB, scaled to about {@code targetTb}. */
  static List<Dataset> catalog(double targetTb, long seed) {
    Random r = new Random(seed);
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < 150; i++) sizes.add((long) Math.min(150 * GB, Math.exp(Math.log(2 * GB) + 1.5 * r.nextGaussian())));
    for (int i = 0; i < 14; i++) sizes.add((long) ((0.2 + 1.3 * r.nextDouble()) * TB));
    for (double t : new double[] {3, 5, 8, 12}) sizes.add((long) (t * TB));
    double total = sizes.stream().mapToLong(Long::longValue).sum();
    double scale = targetTb * TB / total;
    List<Dataset> out = new ArrayList<>();
    int offset = 0;
    for (int i = 0; i < sizes.size(); i++) {
      long s = Math.max(1_000_000L, (long) (sizes.get(i) * scale));
      int pl = pieceSize(s);
      int n = (int) ((s + pl - 1) / pl);
      out.add(new Dataset(String.format("%040x", i + 1), s, pl, n, offset));
      offset += n;
    }
    return out;
  }

  // ---------------------------------------------------------------- state

  private final Params p;
  private final List<Dataset> cat;
  private final int total; // pieces
  private final long[] pieceBytes;
  private final int[] datasetOf;
  private final Random rnd;
  private final Node[] nodes;
  private final int[] copies; // online holders per piece
  private final int[] heldCopies; // holders per piece that have not left (online or offline)
  private final int[][] groupCopies; // per neighbourhood, holders per piece that its nodes still see (visible)
  private final List<Node> ghosts = new ArrayList<>(); // nodes that left, still seen until the memory forgets them
  private int step;
  private final int[][][] history; // [delay slot][group][piece]
  private final boolean[] mirrorUp;
  private final long[] torrentKeys;
  private long plannerNanos;
  private long plans;
  private long fetchedBytes;
  private long fetchedAfterFill;
  private int nextNodeId;

  final class Node {
    final int id;
    final int group;
    final long salt;
    final BitSet held = new BitSet();
    final BitSet wanted = new BitSet();
    long used;
    boolean online = true;
    boolean visible = true; // its holdings are in its neighbourhood's view (online, or offline for less than the memory)
    int offlineSince;
    int replanPhase;

    Node(int id) {
      this.id = id;
      this.group = Math.floorMod(id * 7919, p.groups());
      this.salt = 0x5DEECE66DL * (id + 1) + p.seed();
      this.replanPhase = Math.floorMod(id * 31, Math.max(1, p.replanHours()));
    }
  }

  SwarmSimulator(Params p) {
    this.p = p;
    this.cat = catalog(p.targetTb(), 42);
    this.total = cat.get(cat.size() - 1).offset() + cat.get(cat.size() - 1).pieces();
    this.pieceBytes = new long[total];
    this.datasetOf = new int[total];
    for (int k = 0; k < cat.size(); k++) {
      Dataset d = cat.get(k);
      for (int i = 0; i < d.pieces(); i++) {
        pieceBytes[d.offset() + i] = d.pieceSize(i);
        datasetOf[d.offset() + i] = k;
      }
    }
    this.rnd = new Random(p.seed());
    this.copies = new int[total];
    this.heldCopies = new int[total];
    this.groupCopies = new int[p.groups()][total];
    this.history = new int[p.delaySteps() + 1][p.groups()][];
    this.torrentKeys = new long[cat.size()];
    for (int k = 0; k < cat.size(); k++) torrentKeys[k] = Planner.torrentKey(cat.get(k).id());
    this.mirrorUp = new boolean[p.mirrors()];
    Arrays.fill(mirrorUp, true);
    this.nodes = new Node[p.nodes()];
    for (int i = 0; i < nodes.length; i++) nodes[i] = new Node(nextNodeId++);
  }

  long archiveBytes() {
    long s = 0;
    for (Dataset d : cat) s += d.size();
    return s;
  }

  // ---------------------------------------------------------------- holding

  private void add(Node n, int g) {
    n.held.set(g);
    n.used += pieceBytes[g];
    heldCopies[g]++;
    if (n.online) copies[g]++;
    if (n.visible) groupCopies[n.group][g]++;
  }

  private void drop(Node n, int g) {
    n.held.clear(g);
    n.used -= pieceBytes[g];
    heldCopies[g]--;
    if (n.online) copies[g]--;
    if (n.visible) groupCopies[n.group][g]--;
  }

  private void setOnline(Node n, boolean on) {
    if (n.online == on) return;
    int d = on ? 1 : -1;
    for (int g = n.held.nextSetBit(0); g >= 0; g = n.held.nextSetBit(g + 1)) copies[g] += d;
    n.online = on;
    if (on) setVisible(n, true);
    else n.offlineSince = step;
  }

  /** Puts a node's holdings into its neighbourhood's view, or takes them out once the memory forgot it. */
  private void setVisible(Node n, boolean v) {
    if (n.visible == v) return;
    int d = v ? 1 : -1;
    int[] gc = groupCopies[n.group];
    for (int g = n.held.nextSetBit(0); g >= 0; g = n.held.nextSetBit(g + 1)) gc[g] += d;
    n.visible = v;
  }

  /** A node leaves for good, unannounced: its copies are gone, but the others see it until their memory forgets it. */
  private void leave(int slot) {
    Node n = nodes[slot];
    setOnline(n, false);
    for (int g = n.held.nextSetBit(0); g >= 0; g = n.held.nextSetBit(g + 1)) heldCopies[g]--;
    if (n.visible) ghosts.add(n);
    nodes[slot] = new Node(nextNodeId++);
  }

  /** Nodes offline (or gone) for longer than the memory drop out of the others' view. */
  private void forget() {
    for (Node n : nodes) if (!n.online && n.visible && step - n.offlineSince >= p.memoryHours()) setVisible(n, false);
    for (var it = ghosts.iterator(); it.hasNext(); ) {
      Node n = it.next();
      if (step - n.offlineSince >= p.memoryHours()) {
        setVisible(n, false);
        it.remove();
      }
    }
  }

  private int healthyMirrors() {
    int h = 0;
    for (boolean b : mirrorUp) if (b) h++;
    return h;
  }

  // ---------------------------------------------------------------- planning

  /** What node {@code n} believes: copies on its neighbourhood's online nodes {@code delaySteps} ago, minus its own. */
  private int[] view(Node n) {
    int[][] slot = history[p.delaySteps()];
    int[] seen = slot[0] == null ? groupCopies[n.group] : slot[n.group];
    return seen;
  }

  private void replan(Node n) {
    int[] seen = view(n);
    int mirrors = healthyMirrors();
    switch (p.strategy()) {
      case SMART, SMART_SPREAD, SMART_AGREE, SMART_MATCH -> {
        int[][] ag = p.strategy() == Strategy.SMART_AGREE || p.strategy() == Strategy.SMART_MATCH ? agreement(n) : null;
        if (p.strategy() == Strategy.SMART_MATCH) {
          BitSet[] mine = matches(n).get(n.salt);
          if (mine != null) {
            for (int k = 0; k < cat.size(); k++) {
              int off = cat.get(k).offset();
              for (int i = mine[k].nextSetBit(0); i >= 0; i = mine[k].nextSetBit(i + 1)) ag[1][off + i] = 0;
            }
          }
        }
        List<Planner.Torrent> ts = new ArrayList<>(cat.size());
        for (Dataset d : cat) {
          int[] swarm = new int[d.pieces()];
          for (int i = 0; i < d.pieces(); i++) {
            int g = d.offset() + i;
            // The node's own copy is not "another" copy (libtorrent counts connected peers only).
            swarm[i] = Math.max(0, seen[g] - (n.held.get(g) ? 1 : 0));
          }
          ts.add(new Planner.Torrent(d.id(), d.pieceLength(), d.size(), swarm, mirrors, null, n.held.get(d.offset(), d.offset() + d.pieces()),
              null, ag == null ? null : Arrays.copyOfRange(ag[0], d.offset(), d.offset() + d.pieces()),
              ag == null ? null : Arrays.copyOfRange(ag[1], d.offset(), d.offset() + d.pieces())));
        }
        long t0 = System.nanoTime();
        Planner.Plan plan = Planner.plan(ts, p.budget(), Planner.Mode.SMART, p.strategy() == Strategy.SMART ? 0 : n.salt);
        plannerNanos += System.nanoTime() - t0;
        plans++;
        n.wanted.clear();
        for (Dataset d : cat) {
          BitSet w = plan.wanted().get(d.id());
          for (int i = w.nextSetBit(0); i >= 0; i = w.nextSetBit(i + 1)) n.wanted.set(d.offset() + i);
        }
        BitSet drop = (BitSet) n.held.clone();
        drop.andNot(n.wanted);
        for (int g = drop.nextSetBit(0); g >= 0; g = drop.nextSetBit(g + 1)) drop(n, g);
      }
      case WHOLE -> {
        // Whole torrents, fewest seeders (complete copies seen) first, then smallest, while they fit; never dropped.
        Integer[] order = new Integer[cat.size()];
        int[] seeders = new int[cat.size()];
        for (int k = 0; k < cat.size(); k++) {
          order[k] = k;
          Dataset d = cat.get(k);
          int min = Integer.MAX_VALUE;
          for (int i = 0; i < d.pieces(); i++) min = Math.min(min, seen[d.offset() + i]);
          seeders[k] = min;
        }
        Arrays.sort(order, (a, b) -> seeders[a] != seeders[b] ? Integer.compare(seeders[a], seeders[b])
            : Long.compare(cat.get(a).size(), cat.get(b).size()));
        long planned = 0;
        for (int g = n.wanted.nextSetBit(0); g >= 0; g = n.wanted.nextSetBit(g + 1)) planned += pieceBytes[g];
        for (int k : order) {
          Dataset d = cat.get(k);
          if (n.wanted.get(d.offset())) continue;
          if (planned + d.size() <= p.budget()) {
            n.wanted.set(d.offset(), d.offset() + d.pieces());
            planned += d.size();
          }
        }
      }
      case RANDOM -> {
        if (!n.wanted.isEmpty()) return;
        long planned = 0;
        for (int tries = 0; tries < total * 4 && planned < p.budget(); tries++) {
          int g = rnd.nextInt(total);
          if (n.wanted.get(g) || planned + pieceBytes[g] > p.budget()) continue;
          n.wanted.set(g);
          planned += pieceBytes[g];
        }
      }
    }
  }

  /**
   * Node {@code n}'s place in the holders' agreement, per global piece: {@code [0]} the online nodes of its
   * neighbourhood that hold the piece and rank before it, {@code [1]} those that lack it and rank before it (the
   * seeder reads the same from its peers' ids and bitfields, {@link Planner#agreement}). Seen now, not
   * {@code delaySteps} late: a node's connections show its peers' bitfields as they change.
   */
  private int[][] agreement(Node n) {
    int[] ahead = new int[total];
    int[] before = new int[total];
    int run = Planner.SPREAD_RUN; // one score per run
    List<Node> seen = new ArrayList<>(Arrays.asList(nodes));
    seen.addAll(ghosts);
    for (Node m : seen) {
      if (m == n || !m.visible || m.group != n.group) continue;
      for (int k = 0; k < cat.size(); k++) {
        Dataset d = cat.get(k);
        for (int from = 0; from < d.pieces(); from += run) {
          if (!Planner.ranksBefore(m.salt, n.salt, torrentKeys[k], from)) continue;
          int to = Math.min(d.pieces(), from + run);
          int g0 = d.offset() + from;
          int g1 = d.offset() + to;
          for (int g = g0; g < g1; g++) {
            if (m.held.get(g)) ahead[g]++;
            else before[g]++;
          }
        }
      }
    }
    return new int[][] {ahead, before};
  }

  private int matchStep = -1;
  private final java.util.Map<Integer, java.util.Map<Long, BitSet[]>> matchByGroup = new java.util.HashMap<>();

  /**
   * The spare-room matching ({@link Planner#matchSpareRoom}) of node {@code n}'s neighbourhood as it is now: the same
   * for every node of it that re-plans in this step, so computed once per step and neighbourhood.
   */
  private java.util.Map<Long, BitSet[]> matches(Node n) {
    if (matchStep != step) {
      matchByGroup.clear();
      matchStep = step;
    }
    return matchByGroup.computeIfAbsent(n.group, grp -> {
      List<Node> seen = new ArrayList<>();
      for (Node m : nodes) if (m.visible && m.group == grp) seen.add(m);
      for (Node m : ghosts) if (m.visible && m.group == grp) seen.add(m);
      long[] keys = new long[seen.size()];
      boolean[] node = new boolean[seen.size()];
      Arrays.fill(node, true);
      for (int j = 0; j < keys.length; j++) keys[j] = seen.get(j).salt;
      List<Planner.Swarm> swarms = new ArrayList<>(cat.size());
      for (Dataset d : cat) {
        BitSet[] pieces = new BitSet[seen.size()];
        for (int j = 0; j < pieces.length; j++) pieces[j] = seen.get(j).held.get(d.offset(), d.offset() + d.pieces());
        swarms.add(new Planner.Swarm(d.id(), d.pieceLength(), d.size(), null, keys, pieces, node));
      }
      long t0 = System.nanoTime();
      java.util.Map<Long, BitSet[]> m = Planner.matchSpareRoom(swarms);
      plannerNanos += System.nanoTime() - t0;
      return m;
    });
  }

  /** Fetches wanted pieces it does not hold, rarest first, within this step's download allowance. */
  private long fetch(Node n, long allowance) {
    long got = 0;
    boolean mirror = healthyMirrors() > 0;
    BitSet need = (BitSet) n.wanted.clone();
    need.andNot(n.held);
    for (int pass = 0; pass < 3 && got < allowance; pass++) {
      for (int g = need.nextSetBit(0); g >= 0 && got < allowance; g = need.nextSetBit(g + 1)) {
        int c = copies[g];
        if (pass == 0 ? c != 0 : pass == 1 ? c != 1 : c < 2) continue;
        if (c == 0 && !mirror) continue; // nowhere to fetch it from
        if (n.used + pieceBytes[g] > p.budget()) continue;
        add(n, g);
        got += pieceBytes[g];
      }
    }
    return got;
  }

  // ---------------------------------------------------------------- the run

  /** Runs the whole simulation, writing rows into {@code series}; returns the summary line's values. */
  Summary run(PrintWriter series) {
    int steps = (int) Math.round(p.days() * 24);
    long allowance = p.bytesPerDay() / 24;
    double fillDays = 3;
    int[] below2 = new int[steps];
    int[] zero = new int[steps];
    boolean[] prevMirror = mirrorUp.clone();
    List<double[]> eventsDone = new ArrayList<>();
    int[] heldBelow2 = new int[steps];
    double[] steadySum = new double[8]; // online 0, 1, 2, 3+, held 0, 1, 2, 3+
    for (step = 0; step < steps; step++) {
      double day = step / 24.0;
      // Scheduled events.
      boolean mirrorChanged = false;
      for (int m = 0; m < p.mirrors(); m++) {
        boolean up = true;
        for (Event e : p.events()) if (e.mirror() == m && day >= e.startDay() && day < e.endDay()) up = false;
        if (up != mirrorUp[m]) mirrorChanged = true;
        mirrorUp[m] = up;
      }
      for (Event e : p.events()) {
        if (e.mirror() < 0 && step == (int) Math.round(e.startDay() * 24)) {
          for (int i = 0; i < nodes.length; i++) if (rnd.nextDouble() < e.share()) leave(i);
        }
      }
      // Churn.
      for (int i = 0; i < nodes.length; i++) {
        if (rnd.nextDouble() < p.leavePerDay() / 24) {
          leave(i);
          continue;
        }
        Node n = nodes[i];
        if (n.online && rnd.nextDouble() < 1 / p.onlineHours()) setOnline(n, false);
        else if (!n.online && rnd.nextDouble() < 1 / p.offlineHours()) setOnline(n, true);
      }
      forget();
      // Knowledge delay: shift snapshots.
      for (int s = p.delaySteps(); s > 0; s--) history[s] = history[s - 1];
      int[][] now = new int[p.groups()][];
      for (int g = 0; g < p.groups(); g++) now[g] = groupCopies[g].clone();
      history[0] = now;
      // Plans and fetches.
      long fetchedStep = 0;
      for (Node n : nodes) {
        if (!n.online) continue;
        boolean fresh = n.wanted.isEmpty() && n.held.isEmpty();
        if (fresh || mirrorChanged || (p.replanHours() > 0 && step % p.replanHours() == n.replanPhase)) replan(n);
        fetchedStep += fetch(n, allowance);
      }
      fetchedBytes += fetchedStep;
      if (day >= fillDays) fetchedAfterFill += fetchedStep;
      // Measures.
      int[] on = new int[4];
      int[] kept = new int[4];
      for (int g = 0; g < total; g++) {
        on[Math.min(3, copies[g])]++;
        kept[Math.min(3, heldCopies[g])]++;
      }
      below2[step] = on[0] + on[1];
      zero[step] = on[0];
      heldBelow2[step] = kept[0] + kept[1];
      if (step >= steps * 3 / 4) {
        for (int c = 0; c < 4; c++) {
          steadySum[c] += on[c] / (double) total;
          steadySum[4 + c] += kept[c] / (double) total;
        }
      }
      int online = 0;
      for (Node n : nodes) if (n.online) online++;
      series.printf(Locale.ROOT, "%s,%d,%.4f,%.6f,%.6f,%.6f,%.6f,%d,%d,%d,%.6f,%.6f,%.6f,%.6f%n", p.strategy().label(), p.nodes(), day,
          on[0] / (double) total, on[1] / (double) total, on[2] / (double) total, on[3] / (double) total, healthyMirrors(), online,
          fetchedStep, kept[0] / (double) total, kept[1] / (double) total, kept[2] / (double) total, kept[3] / (double) total);
      prevMirror = mirrorUp.clone();
    }
    // Recovery after each event: hours until the pieces below 2 copies are back to at most their count before it.
    List<String> recoveries = new ArrayList<>();
    for (Event e : p.events()) {
      int start = (int) Math.round(e.startDay() * 24);
      if (start <= 0 || start >= steps) continue;
      int end = -1;
      for (int s = start; s < steps && end < 0; s++) if (heldBelow2[s] <= heldBelow2[start - 1]) end = s;
      recoveries.add(e.label() + "-held:" + (end < 0 ? "never" : Integer.toString(end - start)) + "h");
    }
    for (Event e : p.events()) {
      int start = (int) Math.round(e.startDay() * 24);
      if (start <= 0 || start >= steps) continue;
      int before = below2[start - 1];
      int end = -1;
      for (int s = start; s < steps; s++) {
        if (below2[s] <= Math.max(before, 0) && (s > start || below2[s] <= before)) {
          end = s;
          // The outage may not have hurt at all: then recovery is 0 h.
          break;
        }
      }
      int worst = 0;
      for (int s = start; s < Math.min(steps, start + 24 * 3); s++) worst = Math.max(worst, below2[s]);
      recoveries.add(e.label() + ":" + (end < 0 ? "never" : Integer.toString(end - start)) + "h(worst " + worst + ")");
    }
    // Steady state: the last quarter of the run, after every event.
    int from = steps * 3 / 4;
    int maxBelow2 = 0;
    int maxZero = 0;
    int maxHeldBelow2 = 0;
    for (int s = from; s < steps; s++) {
      maxBelow2 = Math.max(maxBelow2, below2[s]);
      maxZero = Math.max(maxZero, zero[s]);
      maxHeldBelow2 = Math.max(maxHeldBelow2, heldBelow2[s]);
    }
    for (int c = 0; c < 8; c++) steadySum[c] /= Math.max(1, steps - from);
    double nodeDays = p.nodes() * Math.max(1e-9, p.days() - fillDays);
    return new Summary(p.strategy().label(), p.nodes(), p.budget(), archiveBytes(), total, maxBelow2, maxZero, maxHeldBelow2,
        steadySum, fetchedAfterFill / nodeDays, fetchedBytes, plans == 0 ? 0 : plannerNanos / 1e6 / plans, String.join(" ", recoveries));
  }

  /** The run's summary; {@code steady}: mean shares over the steady state, online copies 0, 1, 2, 3+ then held copies. */
  record Summary(String strategy, int nodes, long budget, long archive, int pieces, int steadyMaxBelow2, int steadyMaxZero,
      int steadyMaxHeldBelow2, double[] steady, double bytesPerNodeDay, long fetched, double plannerMs, String recoveries) {
    static String header() {
      return "strategy,nodes,budget_bytes,archive_bytes,storage_ratio,pieces,steady_max_pieces_below_2,steady_max_pieces_0,"
          + "steady_max_pieces_held_below_2,steady_online_0,steady_online_1,steady_online_2,steady_online_3plus,"
          + "steady_held_0,steady_held_1,steady_held_2,steady_held_3plus,"
          + "fetched_bytes_per_node_day_after_fill,fetched_bytes_total,planner_ms_per_plan,recovery";
    }

    String csv() {
      StringBuilder shares = new StringBuilder();
      for (double d : steady) shares.append(String.format(Locale.ROOT, "%.6f,", d));
      return String.format(Locale.ROOT, "%s,%d,%d,%d,%.2f,%d,%d,%d,%d,%s%.0f,%d,%.1f,%s", strategy, nodes, budget, archive,
          (double) nodes * budget / archive, pieces, steadyMaxBelow2, steadyMaxZero, steadyMaxHeldBelow2, shares, bytesPerNodeDay,
          fetched, plannerMs, recoveries);
    }
  }

  // ---------------------------------------------------------------- command line

  /**
   * {@code SwarmSimulator OUTDIR [--tag NAME] [--nodes 100,200] [--budget-gb 500] [--days 21]
   * [--strategies smart-match,smart-agree,smart-spread,smart,whole,random] [--tb 50] [--groups 1] [--delay 1] [--replan-hours 24] [--seed 1] [--memory-hours 0]}.
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    java.util.Map<String, String> a = new java.util.HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    double days = Double.parseDouble(a.getOrDefault("days", "21"));
    long budget = (long) (Double.parseDouble(a.getOrDefault("budget-gb", "500")) * GB);
    double tb = Double.parseDouble(a.getOrDefault("tb", "50"));
    int groups = Integer.parseInt(a.getOrDefault("groups", "1"));
    int delay = Integer.parseInt(a.getOrDefault("delay", "1"));
    int replan = Integer.parseInt(a.getOrDefault("replan-hours", "24"));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    int memory = Integer.parseInt(a.getOrDefault("memory-hours", "0"));
    String tag = a.getOrDefault("tag", "run");
    // Events at fixed fractions of the run, all before the last 30 % (the nodes that replace a departed quarter need
    // about two days to fill); the last quarter is the steady state. Written to events.csv for the plots.
    List<Event> events = List.of(
        new Event(0.15 * days, 0.22 * days, 0, 0, "mirror-a-down"),
        new Event(0.27 * days, 0.31 * days, 1, 0, "mirror-b-down"),
        new Event(0.36 * days, 0.40 * days, 0, 0, "both-down"), new Event(0.36 * days, 0.40 * days, 1, 0, "both-down-b"),
        new Event(0.45 * days, 0.45 * days, -1, 0.25, "quarter-of-nodes-leave"));
    try (PrintWriter ev = new PrintWriter(Files.newBufferedWriter(out.resolve(tag + "-events.csv"), StandardCharsets.UTF_8))) {
      ev.println("label,start_day,end_day,mirror,share");
      for (Event e : events) ev.printf(Locale.ROOT, "%s,%.4f,%.4f,%d,%.2f%n", e.label(), e.startDay(), e.endDay(), e.mirror(), e.share());
    }
    try (PrintWriter series = new PrintWriter(Files.newBufferedWriter(out.resolve(tag + "-timeseries.csv"), StandardCharsets.UTF_8));
        PrintWriter summary = new PrintWriter(Files.newBufferedWriter(out.resolve(tag + "-summary.csv"), StandardCharsets.UTF_8))) {
      series.println("strategy,nodes,day,share_0,share_1,share_2,share_3plus,mirrors_up,nodes_online,fetched_bytes,"
          + "held_0,held_1,held_2,held_3plus");
      summary.println(Summary.header());
      for (String n : a.getOrDefault("nodes", "200").split(",")) {
        for (String s : a.getOrDefault("strategies", "smart-match,smart-agree,whole,random").split(",")) {
          Strategy st = Strategy.valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
          Params p = new Params(st, Integer.parseInt(n), budget, days, 2, 540 * GB, 24 * 7, 12, 0.01, groups, delay, replan, events,
              seed, tb, memory);
          long t0 = System.nanoTime();
          Summary r = new SwarmSimulator(p).run(series);
          summary.println(r.csv());
          summary.flush();
          series.flush();
          System.out.printf(Locale.ROOT, "%s (%.0f s): %s%n", s + " x" + n, (System.nanoTime() - t0) / 1e9, r.csv());
        }
      }
    }
  }
}
