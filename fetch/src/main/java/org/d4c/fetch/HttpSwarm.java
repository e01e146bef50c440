package org.d4c.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.function.Consumer;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.d4c.core.error.D4cException;
import org.d4c.core.net.SafeHttp;
import org.d4c.core.progress.Progress;

/**
 * Downloads the missing pieces of a torrent from several HTTP locations at once, every piece checked against its
 * SHA-1 before it is written. The missing pieces are cut into units of consecutive pieces; each active location runs a
 * few workers that take the next unit, so a fast location simply takes more units than a slow one. When no unit is
 * left, an idle worker also fetches a unit another location is still on (the first verified copy wins), so a slow
 * location cannot hold up the end. A location that serves a piece with the wrong hash is banned at once; one that fails
 * {@value #MAX_FAILURES} times in a row (refused, reset, 5xx, short body) or refuses to stay on public addresses is
 * dropped, and the next-ranked location takes its place.
 */
public final class HttpSwarm {
  static final int MAX_FAILURES = 4;
  static final int MAX_BUSY = 8;
  /** The largest request: a few pieces, so that a request's cost is small against its bytes. */
  static final int UNIT_MAX = 8 << 20;
  /** Bytes read (and hashed) at a time: small enough to hash while still in the CPU cache. */
  static final int CHUNK = 128 << 10;

  /** What a location did: bytes of verified pieces kept, pieces kept, bad pieces, and its verdict. */
  public static final class Source {
    final Locations.Location location;
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong pieces = new AtomicLong();
    final AtomicLong wasted = new AtomicLong();
    volatile int badPieces;
    volatile int failuresInRow;
    volatile String verdict = "ok";
    volatile boolean out;
    volatile Integer badPiece;
    volatile int busyInRow;
    volatile long pausedUntil;
    volatile long waitedMillis;

    Source(Locations.Location location) {
      this.location = location;
    }

    public Locations.Location location() {
      return location;
    }

    public long bytes() {
      return bytes.get();
    }

    public long pieces() {
      return pieces.get();
    }

    public String verdict() {
      return verdict;
    }

    public boolean banned() {
      return badPieces > 0;
    }

    /** How long it asked to be left alone (Retry-After), in total. */
    public long waitedMillis() {
      return waitedMillis;
    }

    /** The first piece it served wrong, or null. */
    public Integer badPiece() {
      return badPiece;
    }
  }

  private record Unit(int first, int end) {}

  /** Evidence of a bad piece: where from, which piece, its expected and observed SHA-1, the bytes, how long the request took. */
  public record BadPiece(Locations.Location location, int piece, String expectedSha1, String observedSha1, byte[] bytes, double elapsedMs) {}

  private volatile boolean finished;
  private Duration maxRetryAfter = Duration.ofSeconds(60);
  private Consumer<BadPiece> badPieceListener;

  /** The longest Retry-After a location may ask for before it is dropped (default 60 s). */
  public HttpSwarm maxRetryAfter(Duration d) {
    this.maxRetryAfter = d;
    return this;
  }

  /** Called (on a download thread) for every bad piece, before its location is banned. */
  public HttpSwarm onBadPiece(Consumer<BadPiece> listener) {
    this.badPieceListener = listener;
    return this;
  }

  private final TorrentLayout layout;
  private final PieceStore store;
  private final SafeHttp http;
  private final int maxActive;
  private final int workersPerLocation;
  private final Progress progress;
  private final List<Source> sources = new ArrayList<>();
  private final Deque<Unit> pending = new ArrayDeque<>();
  private final Map<Unit, Set<Source>> inFlight = new LinkedHashMap<>();
  private final AtomicLong done = new AtomicLong();
  private int nextReserve;

  public HttpSwarm(TorrentLayout layout, PieceStore store, SafeHttp http, List<Locations.Location> ranked, int maxActive,
      int workersPerLocation, Progress progress) {
    this.layout = layout;
    this.store = store;
    this.http = http;
    this.maxActive = maxActive;
    this.workersPerLocation = workersPerLocation;
    this.progress = progress;
    for (Locations.Location l : ranked) sources.add(new Source(l));
  }

  public List<Source> sources() {
    return sources;
  }

  /** Runs until every piece is verified or no location is left; returns whether every piece is there. */
  public boolean run() throws InterruptedException {
    int missing = 0;
    for (int p = 0; p < layout.numPieces(); p++) if (!store.has(p)) missing++;
    for (int p = 0; p < layout.numPieces(); p++) if (store.has(p)) done.addAndGet(layout.pieceSize(p));
    if (missing == 0) return true;
    if (sources.isEmpty()) return false;
    int active = Math.min(maxActive, sources.size());
    long unitBytes = Math.max(layout.pieceLength(), Math.min(UNIT_MAX, (long) missing * layout.pieceLength() / ((long) active * workersPerLocation * 8)));
    int piecesPerUnit = (int) Math.max(1, unitBytes / layout.pieceLength());
    for (int p = 0; p < layout.numPieces(); ) {
      if (store.has(p)) {
        p++;
        continue;
      }
      int end = p;
      while (end < layout.numPieces() && end - p < piecesPerUnit && !store.has(end)) end++;
      pending.add(new Unit(p, end));
      p = end;
    }
    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "d4c-get-http");
      t.setDaemon(true);
      return t;
    });
    try {
      synchronized (this) {
        for (int i = 0; i < active; i++) start(pool, sources.get(i));
        nextReserve = active;
      }
      synchronized (this) {
        while (store.count() < layout.numPieces() && runningWorkers > 0) wait(200);
      }
    } finally {
      finished = true;
      for (Worker w : workers) { // a slow location's last response need not be read to its end
        SafeHttp.Download d = w.open;
        if (d != null) d.abort();
      }
      synchronized (this) {
        notifyAll();
      }
      // No interrupts: a thread interrupted in a FileChannel call closes the channel for every thread (the sha256
      // thread still reads it). The workers see `finished` within 100 ms, or their aborted response fails.
      pool.shutdown();
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) pool.shutdownNow();
      store.save(true);
    }
    return store.count() == layout.numPieces();
  }

  private int runningWorkers;

  private void start(ExecutorService pool, Source s) {
    for (int w = 0; w < workersPerLocation; w++) {
      runningWorkers++;
      pool.execute(() -> {
        try {
          work(s);
        } finally {
          synchronized (HttpSwarm.this) {
            runningWorkers--;
            if (s.out && nextReserve < sources.size() && activeCount() < maxActive) {
              Source next = sources.get(nextReserve++);
              start(pool, next);
            }
            HttpSwarm.this.notifyAll();
          }
        }
      });
    }
  }

  private int activeCount() {
    Set<Source> running = new HashSet<>();
    for (int i = 0; i < Math.min(nextReserve, sources.size()); i++) if (!sources.get(i).out) running.add(sources.get(i));
    return running.size();
  }

  private void work(Source s) {
    Worker w = new Worker();
    workers.add(w);
    try {
      while (!s.out && !finished && !Thread.currentThread().isInterrupted()) {
        long pause = s.pausedUntil - System.nanoTime();
        if (pause > 0) {
          sleep(Math.max(1, pause / 1_000_000));
          continue;
        }
        Unit u = next(s);
        if (u == null) return;
        long wait = 0;
        try {
          fetch(s, u, w);
          s.failuresInRow = 0;
          s.busyInRow = 0;
        } catch (SafeHttp.RedirectRefusedException e) {
          drop(s, "refused: " + e.getMessage());
        } catch (Busy e) {
          wait = busy(s, e);
        } catch (IOException e) {
          if (finished) return;
          s.failuresInRow++;
          if (s.failuresInRow >= MAX_FAILURES) {
            drop(s, "failed: " + (e instanceof java.net.ConnectException ? "connection refused" : D4cException.messageOf(e)));
          } else {
            wait = 200L * s.failuresInRow;
          }
        } finally {
          release(s, u); // before any wait: other locations take the unit meanwhile
        }
        if (wait > 0) sleep(wait);
      }
    } finally {
      workers.remove(w);
    }
  }

  /**
   * A busy answer (429, 503): the whole location pauses for its Retry-After (1, 2, 4... s without one), at most
   * {@code maxRetryAfter}; asked to wait longer than that, or busy {@value #MAX_BUSY} times in a row, it is dropped.
   * Returns how long this worker waits.
   */
  private long busy(Source s, Busy e) {
    int n;
    synchronized (this) {
      n = ++s.busyInRow;
    }
    long ask = e.retryAfterMillis >= 0 ? e.retryAfterMillis : 1000L << Math.min(6, n - 1);
    if (e.retryAfterMillis > maxRetryAfter.toMillis()) {
      drop(s, "busy: HTTP " + e.status + " asks to wait " + (e.retryAfterMillis + 999) / 1000 + " s, more than the "
          + maxRetryAfter.toSeconds() + " s allowed (--max-wait)");
      return 0;
    }
    if (n > MAX_BUSY) {
      drop(s, "busy: HTTP " + e.status + " " + MAX_BUSY + " times in a row");
      return 0;
    }
    long wait = Math.min(ask, maxRetryAfter.toMillis());
    synchronized (this) {
      s.pausedUntil = Math.max(s.pausedUntil, System.nanoTime() + wait * 1_000_000);
      s.waitedMillis += wait;
    }
    return wait;
  }

  private synchronized Unit next(Source s) {
    while (true) {
      if (s.out || finished) return null;
      Unit u = pending.poll();
      if (u != null && allHave(u)) continue;
      if (u != null) {
        inFlight.computeIfAbsent(u, k -> new HashSet<>()).add(s);
        return u;
      }
      // Endgame: help with a unit another location is still on.
      for (Map.Entry<Unit, Set<Source>> e : inFlight.entrySet()) {
        if (!e.getValue().contains(s) && e.getValue().size() < 2 && !allHave(e.getKey())) {
          e.getValue().add(s);
          return e.getKey();
        }
      }
      if (inFlight.isEmpty() && pending.isEmpty()) return null;
      try {
        wait(100);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  private synchronized void release(Source s, Unit u) {
    Set<Source> on = inFlight.get(u);
    if (on != null) {
      on.remove(s);
      if (!allHave(u)) {
        if (on.isEmpty()) {
          inFlight.remove(u);
          // what is still missing goes back to the queue
          for (int p = u.first(); p < u.end(); ) {
            if (store.has(p)) {
              p++;
              continue;
            }
            int end = p;
            while (end < u.end() && !store.has(end)) end++;
            pending.addFirst(new Unit(p, end));
            p = end;
          }
        }
      } else if (on.isEmpty()) {
        inFlight.remove(u);
      }
    }
    notifyAll();
  }

  private boolean allHave(Unit u) {
    for (int p = u.first(); p < u.end(); p++) if (!store.has(p)) return false;
    return true;
  }

  private void drop(Source s, String verdict) {
    synchronized (this) {
      if (s.out) return;
      s.out = true;
      s.verdict = verdict;
      notifyAll();
    }
  }

  /** Busy (HTTP 429 or 503): wait as the server asks (capped), then try again. */
  private static final class Busy extends IOException {
    final int status;
    final long retryAfterMillis;

    Busy(int status, long retryAfterMillis, String where) {
      super("HTTP " + status + " from " + where + (retryAfterMillis >= 0 ? ", Retry-After " + (retryAfterMillis + 999) / 1000 + " s" : ""));
      this.status = status;
      this.retryAfterMillis = retryAfterMillis;
    }
  }

  /** A worker's reusable state: one piece buffer, one digest, and the response it is reading (to abort it at the end). */
  private final class Worker {
    final byte[] piece = new byte[layout.pieceLength()];
    final MessageDigest sha1 = sha1();
    volatile SafeHttp.Download open;
  }

  private final Set<Worker> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Reads the unit's bytes as one stream over the spans of its files (one ranged GET per file, padding as zeros),
   * straight into the piece buffer, hashing each chunk as it arrives; each whole piece is checked and written at its
   * place before the next is read, so a unit that fails half-way keeps the pieces before the failure.
   */
  private void fetch(Source s, Unit u, Worker w) throws IOException {
    long from = layout.pieceOffset(u.first());
    long to = u.end() == layout.numPieces() ? layout.totalSize() : layout.pieceOffset(u.end());
    List<TorrentLayout.Span> spans = layout.spans(from, to - from);
    int spanIndex = -1;
    long spanLeft = 0;
    InputStream in = null;
    long started = System.nanoTime();
    try {
      for (int p = u.first(); p < u.end(); p++) {
        int size = layout.pieceSize(p);
        w.sha1.reset();
        int got = 0;
        while (got < size) {
          if (spanLeft == 0) {
            if (w.open != null) {
              w.open.close();
              w.open = null;
            }
            in = null;
            spanIndex++;
            TorrentLayout.Span span = spans.get(spanIndex);
            spanLeft = span.length();
            TorrentLayout.FileEntry f = layout.files().get(span.file());
            if (!f.pad()) in = open(s, f, span, w);
          }
          int want = (int) Math.min(Math.min(CHUNK, size - got), spanLeft);
          int n;
          if (in == null) { // padding
            java.util.Arrays.fill(w.piece, got, got + want, (byte) 0);
            n = want;
          } else {
            n = in.read(w.piece, got, want);
            if (n < 0) {
              TorrentLayout.FileEntry f = layout.files().get(spans.get(spanIndex).file());
              throw new IOException("short body: " + spanLeft + " bytes missing of " + f.path() + " from " + s.location.id());
            }
          }
          w.sha1.update(w.piece, got, n);
          got += n;
          spanLeft -= n;
        }
        byte[] digest = w.sha1.digest();
        if (store.has(p)) {
          s.wasted.addAndGet(size);
          continue;
        }
        if (!java.util.Arrays.equals(digest, layout.pieceHashes().get(p))) {
          synchronized (this) {
            s.badPieces++;
            if (s.badPiece == null) s.badPiece = p;
          }
          if (badPieceListener != null) {
            badPieceListener.accept(new BadPiece(s.location, p, java.util.HexFormat.of().formatHex(layout.pieceHashes().get(p)),
                java.util.HexFormat.of().formatHex(digest), java.util.Arrays.copyOf(w.piece, size), (System.nanoTime() - started) / 1e6));
          }
          drop(s, "banned: piece " + p + " does not match the torrent's hash");
          throw new IOException("bad piece " + p + " from " + s.location.id());
        }
        if (store.write(p, w.piece, 0)) {
          s.bytes.addAndGet(size);
          s.pieces.incrementAndGet();
          progress.update(done.addAndGet(size));
        } else {
          s.wasted.addAndGet(size);
        }
      }
    } finally {
      if (w.open != null) {
        w.open.close();
        w.open = null;
      }
      try {
        store.save(false);
      } catch (RuntimeException e) {
        if (!Thread.currentThread().isInterrupted() && !finished) throw e; // at the end: the final save follows
      }
    }
  }

  private InputStream open(Source s, TorrentLayout.FileEntry f, TorrentLayout.Span span, Worker w) throws IOException {
    URI uri = URI.create(s.location.folder() + path(f.path()));
    String range = "bytes=" + span.offset() + "-" + (span.offset() + span.length() - 1);
    SafeHttp.Download d = http.download(uri, range);
    w.open = d;
    if (finished) d.abort();
    int status = d.status();
    if (status == 429 || status == 503) throw new Busy(status, d.retryAfterMillis(System.currentTimeMillis()), s.location.id());
    boolean whole = status == 200 && span.offset() == 0;
    if (status != 206 && !whole) throw new IOException("HTTP " + status + " for " + range + " of " + f.path());
    return d.body();
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String path(String relative) {
    StringBuilder sb = new StringBuilder();
    for (String part : relative.split("/")) {
      if (sb.length() > 0) sb.append('/');
      sb.append(CatalogResolver.encode(part));
    }
    return sb.toString();
  }

  /** Sleeps in steps, so that a worker waiting out a Retry-After stops soon after the download has finished. */
  private void sleep(long ms) {
    long until = System.nanoTime() + ms * 1_000_000;
    try {
      for (long left = ms; left > 0 && !finished; left = (until - System.nanoTime()) / 1_000_000) Thread.sleep(Math.min(left, 100));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
