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
 *   <li>{@link Mode#SMART}: the other pieces that some source has (a piece with no copy anywhere cannot be fetched,
 *       so it takes no budget), rarest first (fewest copies); among equally rare pieces the ones already
 *       held come first (a held piece is freed only for a strictly rarer one, so plans do not flap), then the piece in
 *       the longest run of consecutive equally-rare pieces (the largest gap, as BEP 19 suggests), then torrent order
 *       (by id) and piece index. Pieces are taken while their cost fits the budget.</li>
 *   <li>{@link Mode#FULL}: whole torrents, most at risk first (fewest copies of their rarest piece, then highest
 *       {@link Risk#score}, then id), each taken when all of it fits.</li>
 * </ul>
 *
 * <p><b>Holders' agreement.</b> Nodes that see the same swarm must agree which of them gives up a piece they share,
 * and which of them fetches a piece that lacks copies, or they all keep the shared one (and pieces nobody holds stay
 * uncovered) or all fetch the missing one at once (a herd). Every node gets a score over each run of
 * {@value #SPREAD_RUN} pieces ({@link #score}: a hash of the node's key and the run), the same for every observer, and
 * the nodes of the swarm line up by it (rendezvous hashing). A node values a piece it holds as if the holders ranked
 * before it were its only other copies ({@code copies - swarm + ahead}), and a piece it does not hold as if it came
 * after every holder, plus a {@value #HERD}-th of a copy for each Smart Node ranked before it that lacks it too
 * ({@code copies + before / HERD}). So the k-th holder in rank frees a piece only for a rarer one, and of the
 * nodes lacking a rare piece only the first few in rank take it at once; the others keep what they hold.
 *
 * <p><b>Spare-room matching.</b> Those first few may be full of pieces they rightly keep while the room the swarm does
 * not need sits elsewhere; {@link #matchSpareRoom} gives each piece below {@value #WANTED_COPIES} holders to the nodes
 * holding such room, counted in bytes, and the caller passes {@code before} 0 for the pieces matched to this node.
 *
 * <p>A piece's cost is what it may occupy on disk: its bytes rounded up to whole blocks plus one block for every file
 * edge inside it (partial blocks at file boundaries), unless the caller gives exact costs.
 */
public final class Planner {
  public static final int BLOCK = 4096;
  static final int MAX_COPIES = 1023;
  static final int MAX_GAP = (1 << 22) - 1;
  public static final int SPREAD_RUN = 16;
  /**
   * In the holders' agreement, each Smart Node lacking a piece that ranks before this node counts as 1/{@value #HERD} of a
   * copy: of the nodes lacking a rare piece about {@value #HERD} take it at once (not all of them, a herd; not only
   * the first, who may have no room).
   */
  public static final int HERD = 4;
  /** Ranks in {@link #HERD}-ths of a copy the buckets tell apart (copies above 255 all rank alike). */
  static final int BUCKET_RANKS = 1024;

  public enum Mode { FULL, SMART }

  /**
   * One torrent as the planner sees it.
   *
   * @param id the v1 info-hash (the sort key)
   * @param pieceLength bytes per piece (the last piece may be shorter)
   * @param totalSize bytes of the torrent
   * @param swarm per piece, peers that have it (null: none known)
   * @param healthyMirrors HTTP mirrors that answered with the right bytes (never negative)
   * @param hint per piece, copies the published hint declares (null: no hint)
   * @param held pieces this node has verified on disk
   * @param cost per piece, bytes on disk, never negative (null: computed from the piece length)
   * @param ahead per piece, how many of the swarm peers that hold it rank before this node in the holders' agreement
   *     ({@link #agreement}); null: unknown (then the older rule applies, see {@link #plan(List, long, Mode, long)})
   * @param before per piece, how many Smart Nodes of the swarm that lack it rank before this node; null: none known
   */
  public record Torrent(String id, int pieceLength, long totalSize, int[] swarm, int healthyMirrors, int[] hint, BitSet held,
      long[] cost, int[] ahead, int[] before) {
    public Torrent {
      Objects.requireNonNull(id, "id");
      if (pieceLength <= 0) throw new IllegalArgumentException("pieceLength must be > 0");
      if (healthyMirrors < 0) throw new IllegalArgumentException("healthyMirrors must be >= 0");
      held = held == null ? new BitSet() : held;
    }

    /** Without the holders' agreement. */
    public Torrent(String id, int pieceLength, long totalSize, int[] swarm, int healthyMirrors, int[] hint, BitSet held, long[] cost) {
      this(id, pieceLength, totalSize, swarm, healthyMirrors, hint, held, cost, null, null);
    }

    public int numPieces() {
      return (int) ((totalSize + pieceLength - 1) / pieceLength);
    }

    public long pieceSize(int i) {
      return Planner.pieceSize(pieceLength, totalSize, i);
    }

    public long cost(int i) {
      return cost != null ? cost[i] : onDisk(pieceSize(i));
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

  /** 1 / (1 + c) for small c: the risk score's term, looked up instead of divided 4 M times. */
  private static final double[] INVERSE = new double[MAX_COPIES + 1];

  static {
    for (int c = 0; c <= MAX_COPIES; c++) INVERSE[c] = 1.0 / (1 + c);
  }

  public static Plan plan(List<Torrent> input, long budget, Mode mode) {
    return plan(input, budget, mode, 0);
  }

  /**
   * As {@link #plan(List, long, Mode)}, with a per-node tie-break: when {@code spread} is not 0, equally rare pieces
   * (same copies, same held state) are ordered by a hash of ({@code spread}, torrent, run of {@value #SPREAD_RUN}
   * pieces) instead of by gap and index. Nodes that see the same swarm then pick different pieces among the
   * equally rare ones instead of all the same (a herd), each still in runs of consecutive pieces. Held pieces follow
   * the holders' agreement when the torrent gives {@link Torrent#ahead}; else, with a spread, a held piece counts one
   * copy fewer.
   */
  public static Plan plan(List<Torrent> input, long budget, Mode mode, long spread) {
    List<Torrent> ts = new ArrayList<>(input);
    ts.sort(Comparator.comparing(Torrent::id));
    for (int i = 1; i < ts.size(); i++) {
      if (ts.get(i).id().equals(ts.get(i - 1).id())) throw new IllegalArgumentException("torrent listed twice: " + ts.get(i).id());
    }
    Map<String, BitSet> wanted = new LinkedHashMap<>();
    Map<String, Risk> risks = new LinkedHashMap<>();
    Candidates cands = mode == Mode.SMART ? new Candidates(ts, spread) : null;
    int maxPieces = 0;
    for (Torrent t : ts) maxPieces = Math.max(maxPieces, t.numPieces());
    int[] copies = new int[maxPieces];
    long used = 0;
    // One pass per torrent: copies, risk, pinned pieces (held, and no other copy anywhere), smart-mode candidates.
    for (int k = 0; k < ts.size(); k++) {
      Torrent t = ts.get(k);
      int np = t.numPieces();
      BitSet w = new BitSet(np);
      wanted.put(t.id(), w);
      Costs costs = new Costs(t);
      fillCopies(t, copies);
      long[] held = t.held().toLongArray(); // bits read directly: BitSet.get is a call with checks, 4 M times
      int min = Integer.MAX_VALUE;
      int atRisk = 0;
      double sum = 0;
      int[] ahead = t.ahead();
      int[] before = t.before();
      int[] swarm = t.swarm();
      for (int i = 0; i < np; i++) {
        int c = copies[i];
        min = Math.min(min, c);
        if (c <= 1) atRisk++;
        sum += c <= MAX_COPIES ? INVERSE[c] : 1.0 / (1 + c);
        boolean isHeld = i >> 6 < held.length && (held[i >> 6] & 1L << i) != 0;
        long cost = costs.of(i);
        boolean pin = c == 0 && isHeld;
        if (pin) {
          w.set(i);
          used += cost;
        }
        if (cands != null) {
          // The rank a held piece is planned at: with the agreement, the copies of the holders ranked before this node;
          // without it and with a spread, one copy fewer (a held piece is freed only for one with two fewer copies).
          long rank = (long) HERD * c; // in HERD-ths of a copy
          if (ahead != null) {
            int s = swarm == null || i >= swarm.length ? 0 : Math.max(0, swarm[i]);
            int a = i < ahead.length ? Math.max(0, Math.min(s, ahead[i])) : s;
            int b = before == null || i >= before.length ? 0 : Math.max(0, before[i]);
            rank = isHeld ? (long) HERD * (c - s + a) : rank + b;
          } else if (isHeld && spread != 0) {
            rank = (long) HERD * (c - 1);
          }
          cands.piece(k, i, c, rank, isHeld, pin, cost);
        }
      }
      risks.put(t.id(), new Risk(np == 0 ? 0 : min, atRisk, np == 0 ? 0 : sum / np));
      if (cands != null) cands.gaps(k, copies, np);
    }
    long pinned = used;
    boolean over = pinned > budget;
    if (mode == Mode.FULL) used = full(ts, budget, used, wanted, risks);
    else used = cands.select(budget, used, wanted);
    return new Plan(wanted, used, pinned, over, risks);
  }

  /** A key for a torrent id in {@link #score} (the same on every node). */
  public static long torrentKey(String id) {
    long h = 0x6A09E667F3BCC908L;
    for (int i = 0; i < id.length(); i++) h = mix(h ^ id.charAt(i));
    return h;
  }

  /** A holder's key from its peer id bytes (every node hashes the peer id it sees the same way). */
  public static long holderKey(byte[] peerId) {
    long h = 0x3C6EF372FE94F82BL;
    for (byte b : peerId) h = mix(h ^ (b & 0xFF));
    return h;
  }

  /**
   * The holders' agreement score of holder {@code holder} for piece {@code piece} of the torrent {@code torrent}
   * ({@link #torrentKey}); higher ranks first. Equal for a whole run of {@value #SPREAD_RUN} pieces, so each holder
   * keeps runs of consecutive pieces.
   */
  public static long score(long holder, long torrent, int piece) {
    return mix(holder ^ mix(torrent + piece / SPREAD_RUN));
  }

  /** Whether {@code other} ranks before {@code self} for this piece (ties, which need equal keys, by key). */
  public static boolean ranksBefore(long other, long self, long torrent, int piece) {
    long so = score(other, torrent, piece);
    long ss = score(self, torrent, piece);
    return so != ss ? Long.compareUnsigned(so, ss) > 0 : Long.compareUnsigned(other, self) > 0;
  }

  /** A node's place in the holders' agreement for one torrent: {@link Torrent#ahead} and {@link Torrent#before}. */
  public record Agreement(int[] ahead, int[] before) {}

  /**
   * This node's place among the peers of a torrent with {@code numPieces} pieces: per piece, how many peers that hold it
   * rank before {@code self} ({@code ahead}), and how many Smart Nodes that lack it rank before it ({@code before}). {@code node[j]} says whether peer {@code j} is a Smart Node: a plain client does not follow
   * the agreement, so a piece it holds counts as held before this node, and one it lacks it is not going to fetch. {@code peerPieces[j]} is what peer {@code peerKeys[j]} holds.
   */
  public static Agreement agreement(long self, String torrentId, int numPieces, long[] peerKeys, BitSet[] peerPieces, boolean[] node) {
    int[] ahead = new int[numPieces];
    int[] before = new int[numPieces];
    long tk = torrentKey(torrentId);
    int runs = (numPieces + SPREAD_RUN - 1) / SPREAD_RUN;
    for (int j = 0; j < peerKeys.length; j++) {
      if (peerKeys[j] == self) continue; // this node seen through a second connection
      BitSet has = peerPieces[j];
      if (!node[j]) { // a plain client keeps what it has whatever the agreement: its copies always count
        for (int i = has.nextSetBit(0); i >= 0 && i < numPieces; i = has.nextSetBit(i + 1)) ahead[i]++;
        continue;
      }
      for (int r = 0; r < runs; r++) {
        int from = r * SPREAD_RUN;
        if (!ranksBefore(peerKeys[j], self, tk, from)) continue; // one score per run
        int to = Math.min(numPieces, from + SPREAD_RUN);
        for (int i = from; i < to; i++) {
          if (has.get(i)) ahead[i]++;
          else before[i]++;
        }
      }
    }
    return new Agreement(ahead, before);
  }

  /**
   * One torrent's swarm as every Smart Node of it sees it, for {@link #matchSpareRoom}: each peer's key
   * ({@link #holderKey}; this node among them), the pieces it holds, and whether it is a Smart Node.
   *
   * @param cost per piece, bytes on disk (null: computed from the piece length as in {@link Torrent#cost})
   */
  public record Swarm(String id, int pieceLength, long totalSize, long[] cost, long[] peerKeys, BitSet[] peerPieces,
      boolean[] node) {
    int numPieces() {
      return (int) ((totalSize + pieceLength - 1) / pieceLength);
    }
  }

  /** Volunteer copies of every piece the spare-room matching aims at. */
  public static final int WANTED_COPIES = 2;

  /**
   * Spare-room matching: which Smart Node fetches each piece that has fewer than {@value #WANTED_COPIES} holders in the
   * swarm, counted in bytes. The holders' agreement alone asks only the first {@value #HERD} Smart Nodes in rank that
   * lack a piece to fetch it, and those may be full of pieces they rightly keep, while the room the swarm does not
   * need (copies beyond the {@value #WANTED_COPIES}-th holder in rank) sits on other nodes — typically a node back
   * online with pieces fetched meanwhile by others. Here every node computes the same assignment from the same view:
   * each Smart Node's spare bytes are the pieces it holds past the {@value #WANTED_COPIES}-th holder in rank (plain
   * clients rank first: they keep what they have); the pieces lacking copies, fewest holders first, then by torrent id
   * and index, each go to the Smart Nodes that lack them, in rank order, whose spare bytes still cover them. A node
   * then plans a piece matched to it as the first in rank to fetch it ({@link Torrent#before} 0) and frees the copies it
   * held in excess for it.
   *
   * @return per Smart Node key, per torrent (in the order given), the pieces matched to it; nodes without any are left
   *     out
   */
  public static Map<Long, BitSet[]> matchSpareRoom(List<Swarm> swarms) {
    java.util.TreeSet<Long> keySet = new java.util.TreeSet<>();
    for (Swarm s : swarms) for (int j = 0; j < s.peerKeys().length; j++) if (s.node()[j]) keySet.add(s.peerKeys()[j]);
    long[] keys = keySet.stream().mapToLong(Long::longValue).toArray();
    long[] spare = new long[keys.length];
    Integer[] order = new Integer[swarms.size()];
    for (int k = 0; k < order.length; k++) order[k] = k;
    Arrays.sort(order, Comparator.comparing(k -> swarms.get(k).id()));
    // Pass 1: spare bytes per node, and the pieces lacking copies (holders << 62 | torrent rank << 31 | piece).
    long[] needy = new long[64];
    int needyCount = 0;
    for (int rank = 0; rank < order.length; rank++) {
      Swarm s = swarms.get(order[rank]);
      int np = s.numPieces();
      Members m = new Members(s, keys);
      int[] holders = new int[SPREAD_RUN];
      for (int from = 0; from < np; from += SPREAD_RUN) {
        int len = Math.min(np, from + SPREAD_RUN) - from;
        Arrays.fill(holders, 0);
        // Holdings only, a run's 16 bits at a time: the pieces times the peers would be 100 M tests at 50 TB.
        for (int j : m.plain) {
          for (long b = m.bits(j, from, len); b != 0; b &= b - 1) holders[Long.numberOfTrailingZeros(b)]++;
        }
        for (int x : m.ranked(from)) {
          for (long b = m.bits(x, from, len); b != 0; b &= b - 1) {
            int k = Long.numberOfTrailingZeros(b);
            if (holders[k] >= WANTED_COPIES) spare[m.nodeIndex[x]] += cost(s, from + k);
            holders[k]++;
          }
        }
        for (int k = 0; k < len; k++) {
          if (holders[k] >= WANTED_COPIES) continue;
          if (needyCount == needy.length) needy = Arrays.copyOf(needy, needyCount * 2);
          needy[needyCount++] = (long) holders[k] << 62 | (long) rank << 31 | (from + k);
        }
      }
    }
    // Pass 2: the pieces lacking copies, fewest holders first, each to the first nodes in rank with room for it.
    Arrays.sort(needy, 0, needyCount);
    Map<Long, BitSet[]> out = new java.util.TreeMap<>();
    Members m = null;
    int mRank = -1;
    for (int x = 0; x < needyCount; x++) {
      int holders = (int) (needy[x] >>> 62);
      int rank = (int) (needy[x] >>> 31 & 0x7FFFFFFF);
      int i = (int) (needy[x] & 0x7FFFFFFF);
      Swarm s = swarms.get(order[rank]);
      if (rank != mRank) {
        m = new Members(s, keys);
        mRank = rank;
      }
      long c = cost(s, i);
      for (int j : m.ranked(i / SPREAD_RUN * SPREAD_RUN)) {
        if (holders >= WANTED_COPIES) break;
        int node = m.nodeIndex[j];
        if (s.peerPieces()[j].get(i) || spare[node] < c) continue;
        spare[node] -= c;
        holders++;
        out.computeIfAbsent(keys[node], k -> {
          BitSet[] b = new BitSet[swarms.size()];
          for (int t = 0; t < b.length; t++) b[t] = new BitSet();
          return b;
        })[order[rank]].set(i);
      }
    }
    return out;
  }

  private static long cost(Swarm s, int i) {
    return s.cost() != null ? s.cost()[i] : onDisk(pieceSize(s.pieceLength(), s.totalSize(), i));
  }

  /** Bytes of piece {@code i} (the last one may be shorter). */
  static long pieceSize(int pieceLength, long totalSize, int i) {
    int last = (int) ((totalSize + pieceLength - 1) / pieceLength) - 1;
    return i < last ? pieceLength : totalSize - (long) pieceLength * last;
  }

  /** What a piece of {@code bytes} may occupy on disk: whole blocks plus one block for a file edge inside it. */
  static long onDisk(long bytes) {
    return (bytes + BLOCK - 1) / BLOCK * BLOCK + BLOCK;
  }

  /** A torrent's peers for {@link #matchSpareRoom}: its Smart Nodes in rank order per run, and its plain clients. */
  private static final class Members {
    private final Swarm s;
    private final long tk;
    /** Per peer: its index among all Smart Nodes, or -1 for a plain client or a repeated key. */
    final int[] nodeIndex;
    private final int[] smart;
    final int[] plain;
    private final long[][] words;
    private final int indexBits;

    Members(Swarm s, long[] keys) {
      this.s = s;
      this.tk = torrentKey(s.id());
      int n = s.peerKeys().length;
      nodeIndex = new int[n];
      words = new long[n][];
      int[] sm = new int[n];
      int[] pl = new int[n];
      int ns = 0;
      int npl = 0;
      java.util.Set<Long> seen = new java.util.HashSet<>();
      for (int j = 0; j < n; j++) {
        nodeIndex[j] = -1;
        if (!seen.add(s.peerKeys()[j])) continue; // one peer seen twice counts once
        words[j] = s.peerPieces()[j].toLongArray();
        if (s.node()[j]) {
          nodeIndex[j] = Arrays.binarySearch(keys, s.peerKeys()[j]);
          sm[ns++] = j;
        } else {
          pl[npl++] = j;
        }
      }
      smart = Arrays.copyOf(sm, ns);
      plain = Arrays.copyOf(pl, npl);
      indexBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, ns));
    }

    /** Peer {@code j}'s pieces {@code from .. from + len - 1} ({@code from} a multiple of {@value #SPREAD_RUN}) as bits. */
    long bits(int j, int from, int len) {
      long[] w = words[j];
      int at = from >>> 6;
      return at < w.length ? w[at] >>> (from & 63) & (1L << len) - 1 : 0;
    }

    /** The Smart Nodes of the run starting at {@code from}, first in rank first ({@link #ranksBefore}'s order). */
    int[] ranked(int from) {
      int n = smart.length;
      // Sorted as primitive longs: the score's top bits with the index below, in descending unsigned order; equal
      // top bits (rare) are then put in the exact order.
      long[] v = new long[n];
      long mask = (1L << indexBits) - 1;
      for (int x = 0; x < n; x++) {
        long key = score(s.peerKeys()[smart[x]], tk, from) & ~mask | x;
        v[x] = key ^ Long.MAX_VALUE; // ascending signed order = descending unsigned order of key
      }
      Arrays.sort(v);
      int[] out = new int[n];
      for (int x = 0; x < n; x++) out[x] = (int) ((v[x] ^ Long.MAX_VALUE) & mask);
      for (int x = 1; x < n; x++) {
        for (int y = x; y > 0 && (v[y] & ~mask) == (v[y - 1] & ~mask)
            && ranksBefore(s.peerKeys()[smart[out[y]]], s.peerKeys()[smart[out[y - 1]]], tk, from); y--) {
          int t = out[y];
          out[y] = out[y - 1];
          out[y - 1] = t;
          long tv = v[y];
          v[y] = v[y - 1];
          v[y - 1] = tv;
        }
      }
      for (int x = 0; x < n; x++) out[x] = smart[out[x]];
      return out;
    }
  }

  /** SplitMix64's finaliser: a well-spread 64-bit hash. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** copies(i) of every piece into {@code out}, without a call per piece. */
  private static void fillCopies(Torrent t, int[] out) {
    int np = t.numPieces();
    int[] swarm = t.swarm();
    int[] hint = t.hint();
    int ns = swarm == null ? 0 : Math.min(np, swarm.length);
    int nh = hint == null ? 0 : Math.min(np, hint.length);
    for (int i = 0; i < np; i++) {
      long c = (long) t.healthyMirrors() + (i < ns ? Math.max(0, swarm[i]) : 0) + (i < nh ? Math.max(0, hint[i]) : 0);
      out[i] = (int) Math.min(c, Integer.MAX_VALUE);
    }
  }

  /** {@link Torrent#cost} without recomputing the piece count for every piece. */
  private static final class Costs {
    private final long[] given;
    private final int last;
    private final long full;
    private final long lastCost;

    Costs(Torrent t) {
      given = t.cost();
      last = t.numPieces() - 1;
      full = given == null && last > 0 ? t.cost(0) : 0;
      lastCost = given == null && last >= 0 ? t.cost(last) : 0;
    }

    long of(int i) {
      long c = given != null ? given[i] : i < last ? full : lastCost;
      if (c < 0) throw new IllegalArgumentException("negative cost for piece " + i);
      return c;
    }
  }

  private static long full(List<Torrent> ts, long budget, long used, Map<String, BitSet> wanted, Map<String, Risk> risks) {
    List<Torrent> order = new ArrayList<>(ts);
    order.sort(Comparator.<Torrent>comparingInt(t -> risks.get(t.id()).minCopies())
        .thenComparing(t -> -risks.get(t.id()).score()).thenComparing(Torrent::id));
    for (Torrent t : order) {
      BitSet w = wanted.get(t.id());
      Costs costs = new Costs(t);
      long extra = 0;
      for (int i = 0; i < t.numPieces(); i++) if (!w.get(i)) extra += costs.of(i);
      if (used + extra <= budget) {
        w.set(0, t.numPieces());
        used += extra;
      }
    }
    return used;
  }

  /**
   * Smart mode's candidates (every piece not pinned) and the greedy pick over them.
   *
   * <p>The order is the sort key {@code bucket << 52 | tie-break << 30 | global index} (tie-break: {@code MAX_GAP - gap},
   * or the spread hash), where the bucket is
   * {@code 2 * min(rank, BUCKET_RANKS - 1) + notHeld} (rank: copies in {@link #HERD}-ths): there are only 2,048 buckets. Sorting all 4 M keys is not needed:
   * a bucket whose total cost is below what is left of the budget is taken whole, whatever its inner order, so only
   * the first bucket that does not fit (and, past it, the few pieces still small enough) is sorted.
   */
  private static final class Candidates {
    private static final int BUCKETS = 2 * BUCKET_RANKS;
    private static final long INDEX_MASK = (1L << 30) - 1;
    private final List<Torrent> ts;
    private final int[] offsets;
    /** Per global piece index: its bucket, or -1 when pinned. */
    private final short[] bucket;
    /** Per global piece index: its tie-break within a bucket, smaller first (see {@link #gaps}). */
    private final int[] gap;
    private final int[] bucketCount = new int[BUCKETS];
    private final long[] bucketCost = new long[BUCKETS];
    private final long[] bucketMinCost = new long[BUCKETS];

    private final long spread;

    Candidates(List<Torrent> ts, long spread) {
      this.ts = ts;
      this.spread = spread;
      offsets = new int[ts.size() + 1];
      long total = 0;
      for (int k = 0; k < ts.size(); k++) {
        total += ts.get(k).numPieces();
        if (total >= (1L << 30)) throw new IllegalArgumentException("more than 2^30 pieces in one plan");
        offsets[k + 1] = (int) total;
      }
      bucket = new short[(int) total];
      gap = new int[(int) total];
      Arrays.fill(bucketMinCost, Long.MAX_VALUE);
    }

    /** Records piece {@code i} of torrent {@code k}. */
    void piece(int k, int i, int copies, long rank, boolean held, boolean pinned, long cost) {
      int g = offsets[k] + i;
      if (pinned || copies == 0 && !held) { // pinned, or a piece no known source has: it cannot be fetched
        bucket[g] = -1;
        return;
      }
      // Without the agreement and with a spread, a held piece ranks as if it had one copy fewer: it is freed only for a
      // piece with at least two fewer copies, which is when the swap helps (x: c -> c-1, y: c' -> c'+1).
      int b = 2 * (int) Math.min(Math.max(rank, 0), BUCKET_RANKS - 1) + (held ? 0 : 1);
      bucket[g] = (short) b;
      bucketCount[b]++;
      bucketCost[b] += cost;
      bucketMinCost[b] = Math.min(bucketMinCost[b], cost);
    }

    /**
     * Gives each piece of torrent {@code k} its tie-break: {@code MAX_GAP - } the length of its run of consecutive
     * pieces with the same copies (longest first), or with a spread the node's hash of its run of pieces.
     */
    void gaps(int k, int[] copies, int np) {
      if (spread != 0) {
        long t = spread * 0x9E3779B97F4A7C15L ^ ts.get(k).id().hashCode();
        for (int i = 0; i < np; i++) gap[offsets[k] + i] = (int) (mix(t + i / SPREAD_RUN) & MAX_GAP);
        return;
      }
      int runStart = 0;
      for (int i = 1; i <= np; i++) {
        if (i == np || copies[i] != copies[runStart]) {
          Arrays.fill(gap, offsets[k] + runStart, offsets[k] + i, MAX_GAP - Math.min(i - runStart, MAX_GAP));
          runStart = i;
        }
      }
    }

    /** Takes pieces in key order while their cost fits the budget; returns the bytes used. */
    long select(long budget, long used, Map<String, BitSet> wanted) {
      if (used >= budget) return used;
      // Buckets taken whole: their total stays strictly under what is left, so each of their pieces fits in turn.
      long left = budget - used;
      int boundary = 0;
      while (boundary < BUCKETS && bucketCost[boundary] < left) {
        left -= bucketCost[boundary];
        boundary++;
      }
      used = budget - left;
      BitSet[] w = new BitSet[ts.size()];
      for (int k = 0; k < ts.size(); k++) w[k] = wanted.get(ts.get(k).id());
      if (boundary == BUCKETS) {
        scan(w, BUCKETS, 0, -1, 0);
        return used;
      }
      // The boundary bucket, sorted; pieces costing more than what is left never fit, so they are not even sorted.
      used = greedy(scan(w, boundary, boundary, boundary, left), budget, used, w);
      if (used >= budget) return used;
      // Past it only pieces no dearer than the rest of the budget may still fit (costs are never negative).
      long rest = budget - used;
      int after = boundary + 1;
      while (after < BUCKETS && bucketMinCost[after] > rest) after++;
      if (after == BUCKETS) return used;
      return greedy(scan(w, 0, after, BUCKETS - 1, rest), budget, used, w);
    }

    /**
     * One pass in global order: sets every piece of a bucket below {@code takeBelow} in {@code w}, and returns the
     * sorted keys of the pieces of buckets {@code from..to} that cost at most {@code maxCost}.
     */
    private long[] scan(BitSet[] w, int takeBelow, int from, int to, long maxCost) {
      int size = 0;
      for (int b = from; b <= to; b++) size += bucketCount[b];
      long[] keys = new long[size];
      int n = 0;
      for (int k = 0; k < ts.size(); k++) {
        Costs costs = null;
        int base = offsets[k];
        for (int g = base; g < offsets[k + 1]; g++) {
          int b = bucket[g];
          if (b < 0) continue;
          if (b < takeBelow) {
            w[k].set(g - base);
          } else if (b >= from && b <= to && bucketMinCost[b] <= maxCost) {
            if (costs == null) costs = new Costs(ts.get(k));
            if (costs.of(g - base) > maxCost) continue;
            keys[n++] = (long) b << 52 | (long) gap[g] << 30 | g;
          }
        }
      }
      Arrays.sort(keys, 0, n);
      return n == keys.length ? keys : Arrays.copyOf(keys, n);
    }

    private long greedy(long[] keys, long budget, long used, BitSet[] w) {
      int k = 0;
      Costs costs = null;
      for (int x = 0; x < keys.length && used < budget; x++) {
        int g = (int) (keys[x] & INDEX_MASK);
        int kk = torrentOf(g);
        if (kk != k || costs == null) {
          k = kk;
          costs = new Costs(ts.get(k));
        }
        long cost = costs.of(g - offsets[k]);
        if (used + cost <= budget) {
          w[k].set(g - offsets[k]);
          used += cost;
        }
      }
      return used;
    }

    /** The torrent holding global piece index {@code g} (torrents without pieces share an offset: take the last). */
    private int torrentOf(int g) {
      int k = Arrays.binarySearch(offsets, g);
      k = k >= 0 ? k : -k - 2;
      while (offsets[k + 1] <= g) k++;
      return k;
    }
  }
}
