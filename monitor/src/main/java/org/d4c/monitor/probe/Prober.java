package org.d4c.monitor.probe;

import java.net.URI;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.d4c.catalog.status.State;
import org.d4c.core.hash.Hashing;
import org.d4c.monitor.probe.Targets.FileInfo;
import org.d4c.monitor.probe.Targets.ItemTarget;

/**
 * One probe round: for every location × item, fetch the byte ranges of the pieces {@link RangePlan} drew and check
 * them against the torrent's SHA-1 piece hashes (or a small file's sha256), then classify. Locations are probed in
 * parallel, the items of one location one after another within its per-round request and byte budget; a 429 or 503
 * backs the location off for its {@code Retry-After} (or a minute), during which it keeps its last state.
 */
public final class Prober {
  /**
   * @param piecesPerItem pieces checked per location × item and round
   * @param wholeFileLimit files up to this size without a torrent are fetched whole and checked by sha256
   * @param bytesPerLocation byte budget of one location per round
   * @param requestsPerLocation request budget of one location per round
   * @param slowBytesPerSecond below this throughput (bytes over the time from first to last byte, over at least 16 KiB) a verified location is slow
   * @param slowLatency above this time to the first byte it is slow
   */
  public record Settings(int piecesPerItem, long wholeFileLimit, long bytesPerLocation, int requestsPerLocation,
      double slowBytesPerSecond, Duration slowLatency, int parallelLocations) {
    public static Settings defaults() {
      return new Settings(2, 1 << 20, 256L << 20, 2000, 256 * 1024, Duration.ofSeconds(2), 8);
    }
  }

  /** What a location × item probe found; {@code state} null when it was skipped (backing off, budget spent). */
  public record Result(String location, String item, State state, Double latencyMs, Double throughputBps, long bytes,
      int requests, String detail) {}

  private final RangeClient client;
  private final Settings settings;
  private final Clock clock;
  private final Map<String, Instant> backoffUntil = new ConcurrentHashMap<>();

  public Prober(RangeClient client, Settings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
  }

  public Map<String, Instant> backoffs() {
    return Collections.unmodifiableMap(backoffUntil);
  }

  /** Probes every location × item of {@code targets}; {@code torrents} maps item id to its parsed torrent (or absent). */
  public List<Result> round(List<ItemTarget> targets, Map<String, TorrentPieces> torrents, String seed) {
    Map<String, List<ItemTarget>> byLocation = new TreeMap<>();
    for (ItemTarget t : targets) for (String loc : t.urls().keySet()) byLocation.computeIfAbsent(loc, k -> new ArrayList<>()).add(t);
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(settings.parallelLocations(), byLocation.size())));
    try {
      List<Future<List<Result>>> futures = new ArrayList<>();
      for (Map.Entry<String, List<ItemTarget>> e : byLocation.entrySet()) {
        futures.add(pool.submit(() -> probeLocation(e.getKey(), e.getValue(), torrents, seed)));
      }
      List<Result> out = new ArrayList<>();
      for (Future<List<Result>> f : futures) out.addAll(f.get());
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("probe round failed: " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
  }

  private List<Result> probeLocation(String location, List<ItemTarget> items, Map<String, TorrentPieces> torrents, String seed) {
    Budget budget = new Budget(settings.bytesPerLocation(), settings.requestsPerLocation());
    List<Result> out = new ArrayList<>();
    for (ItemTarget t : items) {
      Instant until = backoffUntil.get(location);
      if (until != null && clock.instant().isBefore(until)) {
        out.add(new Result(location, t.item(), null, null, null, 0, 0, "backing off until " + until + " (Retry-After)"));
        continue;
      }
      out.add(probe(location, t, torrents.get(t.item()), seed, budget));
    }
    return out;
  }

  /** One location × item, checking the given pieces (report triage). */
  public Result probePieces(String location, ItemTarget t, TorrentPieces torrent, List<Integer> pieces) {
    return check(location, t, torrent, planPieces(t, torrent, pieces), new Budget(Long.MAX_VALUE, Integer.MAX_VALUE));
  }

  /** One location × item. */
  public Result probe(String location, ItemTarget t, TorrentPieces torrent, String seed, Budget budget) {
    return check(location, t, torrent, plan(t, torrent, seed), budget);
  }

  private Result check(String location, ItemTarget t, TorrentPieces torrent, List<Check> checks, Budget budget) {
    Map<String, URI> urls = t.urls().get(location);
    long need = checks.stream().mapToLong(c -> c.parts.stream().mapToLong(p -> p.to - p.from).sum()).sum();
    int reqs = checks.stream().mapToInt(c -> c.parts.size()).sum();
    if (!budget.take(need, reqs)) return new Result(location, t.item(), null, null, null, 0, 0, "skipped: the location's per-round budget is spent");
    List<Long> firstByte = new ArrayList<>();
    long bytes = 0;
    long nanos = 0;
    int requests = 0;
    for (Check c : checks) {
      MessageDigest md = c.sha1 != null ? sha1() : Hashing.newSha256();
      for (Part p : c.parts) {
        if (p.to == p.from) continue;
        URI u = urls.get(p.file.path());
        if (u == null) return result(location, t, State.STALE, firstByte, bytes, nanos, requests, "no " + p.file.path() + " at this location");
        RangeClient.Fetch f = client.get(u, p.from, p.to);
        requests++;
        firstByte.add(f.firstByteNanos());
        nanos += Math.max(1, f.totalNanos() - f.firstByteNanos());
        bytes += f.body().length;
        if (f.error() != null) return result(location, t, State.DOWN, firstByte, bytes, nanos, requests, f.error());
        if (f.status() == 429 || f.status() == 503) {
          long secs = f.retryAfterSeconds() >= 0 ? f.retryAfterSeconds() : 60;
          backoffUntil.put(location, clock.instant().plusSeconds(Math.max(1, secs)));
          if (f.status() == 429) {
            return new Result(location, t.item(), null, null, null, bytes, requests, "HTTP 429: backing off " + secs + " s (Retry-After)");
          }
          return result(location, t, State.DOWN, firstByte, bytes, nanos, requests, "HTTP 503, retry after " + secs + " s");
        }
        if (f.status() == 404 || f.status() == 410) return result(location, t, State.STALE, firstByte, bytes, nanos, requests, "HTTP " + f.status() + " for " + p.file.path());
        if (!f.ok()) return result(location, t, State.DOWN, firstByte, bytes, nanos, requests, "HTTP " + f.status() + " for " + p.file.path());
        if (f.totalSize() >= 0 && p.file.size() >= 0 && f.totalSize() != p.file.size()) {
          return result(location, t, State.STALE, firstByte, bytes, nanos, requests, p.file.path() + " has " + f.totalSize() + " bytes, the catalog says " + p.file.size() + " (another version)");
        }
        if (f.body().length < p.to - p.from) {
          return result(location, t, State.DOWN, firstByte, bytes, nanos, requests, "short read: " + f.body().length + " of " + (p.to - p.from) + " bytes of " + p.file.path());
        }
        md.update(f.body());
      }
      byte[] got = md.digest();
      if (c.sha1 != null && !Arrays.equals(got, c.sha1)) {
        return result(location, t, State.CORRUPT, firstByte, bytes, nanos, requests, "piece " + c.piece + " does not match its SHA-1 (" + c.describe() + ")");
      }
      if (c.sha256 != null && !Hashing.hex(got).equals(c.sha256)) {
        return result(location, t, State.CORRUPT, firstByte, bytes, nanos, requests, c.parts.get(0).file.path() + " does not match its sha256");
      }
    }
    String how = torrent != null ? checks.size() + " piece(s) of " + torrent.pieces() + " verified (SHA-1)"
        : checks.stream().anyMatch(c -> c.sha256 != null) ? "file(s) verified (sha256)" : "sizes match (no torrent: bytes not hashed)";
    Result ok = result(location, t, State.VERIFIED, firstByte, bytes, nanos, requests, how);
    boolean slow = ok.latencyMs() != null && ok.latencyMs() > settings.slowLatency().toMillis()
        || bytes >= 16384 && ok.throughputBps() != null && ok.throughputBps() < settings.slowBytesPerSecond();
    return slow ? new Result(ok.location(), ok.item(), State.SLOW, ok.latencyMs(), ok.throughputBps(), ok.bytes(), ok.requests(), how + "; slow") : ok;
  }

  private static Result result(String location, ItemTarget t, State s, List<Long> firstByte, long bytes, long nanos, int requests, String detail) {
    Double latency = null;
    if (!firstByte.isEmpty()) {
      List<Long> sorted = new ArrayList<>(firstByte);
      Collections.sort(sorted);
      latency = sorted.get(sorted.size() / 2) / 1e6;
    }
    Double tput = nanos > 0 && bytes > 0 ? bytes / (nanos / 1e9) : null;
    if (detail != null && detail.length() > 500) detail = detail.substring(0, 497) + "...";
    return new Result(location, t.item(), s, latency, tput, bytes, requests, detail);
  }

  /** A byte range of one file. */
  record Part(FileInfo file, long from, long to) {}

  /** A piece (or small file, or sized range) with what it must hash to. */
  record Check(int piece, List<Part> parts, byte[] sha1, String sha256) {
    String describe() {
      Part p = parts.get(0);
      return p.file.path() + " bytes " + p.from + "-" + (p.to - 1) + (parts.size() > 1 ? " and " + (parts.size() - 1) + " more file(s)" : "");
    }
  }

  /** The checks of an item in a round: the same for every location and probe site. */
  public static List<Check> plan(ItemTarget t, TorrentPieces torrent, String seed, int piecesPerItem, long wholeFileLimit) {
    List<Check> out = new ArrayList<>();
    Map<String, FileInfo> byPath = new TreeMap<>();
    for (FileInfo f : t.files()) byPath.put(f.path(), f);
    if (torrent != null && torrent.pieces() > 0) return planPieces(t, torrent, RangePlan.pick(seed, t.item(), torrent.pieces(), piecesPerItem));
    List<FileInfo> files = new ArrayList<>(t.files());
    for (int i : RangePlan.pick(seed, t.item(), files.size(), piecesPerItem)) {
      FileInfo f = files.get(i);
      if (f.size() >= 0 && f.size() <= wholeFileLimit) {
        out.add(new Check(-1, List.of(new Part(f, 0, Math.max(0, f.size()))), null, f.sha256()));
      } else {
        long len = Math.min(65536, f.size());
        long from = RangePlan.offset(seed, t.item(), f.path(), f.size() - len);
        out.add(new Check(-1, List.of(new Part(f, from, from + len)), null, null));
      }
    }
    return out;
  }

  static List<Check> planPieces(ItemTarget t, TorrentPieces torrent, List<Integer> pieces) {
    Map<String, FileInfo> byPath = new TreeMap<>();
    for (FileInfo f : t.files()) byPath.put(f.path(), f);
    List<Check> out = new ArrayList<>();
    for (int piece : pieces) {
      List<Part> parts = new ArrayList<>();
      for (TorrentPieces.Part p : torrent.parts(piece)) {
        FileInfo f = byPath.getOrDefault(p.file().path(), new FileInfo(p.file().path(), p.file().size(), null));
        parts.add(new Part(f, p.from(), p.to()));
      }
      out.add(new Check(piece, parts, torrent.hash(piece), null));
    }
    return out;
  }

  private List<Check> plan(ItemTarget t, TorrentPieces torrent, String seed) {
    return plan(t, torrent, seed, settings.piecesPerItem(), settings.wholeFileLimit());
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A location's request and byte allowance for one round. */
  public static final class Budget {
    private long bytes;
    private int requests;

    public Budget(long bytes, int requests) {
      this.bytes = bytes;
      this.requests = requests;
    }

    synchronized boolean take(long b, int r) {
      if (b > bytes || r > requests) return false;
      bytes -= b;
      requests -= r;
      return true;
    }
  }
}
