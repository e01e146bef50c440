package org.d4c.fetch;

import java.io.IOException;
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
  static final int UNIT_MAX = 4 << 20;

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

    /** The first piece it served wrong, or null. */
    public Integer badPiece() {
      return badPiece;
    }
  }

  private record Unit(int first, int end) {}

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
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
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
    while (!s.out && !Thread.currentThread().isInterrupted()) {
      Unit u = next(s);
      if (u == null) return;
      try {
        fetch(s, u);
        s.failuresInRow = 0;
      } catch (SafeHttp.RedirectRefusedException e) {
        drop(s, "refused: " + e.getMessage());
      } catch (Retry e) {
        s.failuresInRow++;
        if (s.failuresInRow >= MAX_FAILURES) drop(s, "failed: still busy (HTTP 429) after " + MAX_FAILURES + " tries");
        else sleep(e.millis);
      } catch (IOException e) {
        s.failuresInRow++;
        if (s.failuresInRow >= MAX_FAILURES) {
          drop(s, "failed: " + (e instanceof java.net.ConnectException ? "connection refused" : D4cException.messageOf(e)));
        }
        else sleep(200L * s.failuresInRow);
      } finally {
        release(s, u);
      }
    }
  }

  private synchronized Unit next(Source s) {
    while (true) {
      if (s.out) return null;
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

  /** Too many requests: wait, then try again. */
  private static final class Retry extends IOException {
    final long millis;

    Retry(long millis) {
      super("retry after " + millis + " ms");
      this.millis = millis;
    }
  }

  private void fetch(Source s, Unit u) throws IOException {
    long from = layout.pieceOffset(u.first());
    long to = u.end() == layout.numPieces() ? layout.totalSize() : layout.pieceOffset(u.end());
    int length = (int) (to - from);
    byte[] buf = new byte[length];
    int got = 0;
    IOException failure = null;
    for (TorrentLayout.Span span : layout.spans(from, length)) {
      TorrentLayout.FileEntry f = layout.files().get(span.file());
      int at = (int) (f.offset() + span.offset() - from);
      if (f.pad()) {
        got = at + (int) span.length();
        continue;
      }
      URI uri = URI.create(s.location.folder() + path(f.path()));
      String range = "bytes=" + span.offset() + "-" + (span.offset() + span.length() - 1);
      SafeHttp.Response r = http.get(uri, range, span.length());
      if (r.status() == 429 || r.status() == 503) {
        failure = r.status() == 429 ? new Retry(1000) : new IOException("HTTP 503 from " + s.location.id());
        break;
      }
      boolean whole = r.status() == 200 && span.offset() == 0;
      if (r.status() != 206 && !whole) {
        failure = new IOException("HTTP " + r.status() + " for " + range + " of " + f.path());
        break;
      }
      System.arraycopy(r.body(), 0, buf, at, r.body().length);
      got = at + r.body().length;
      if (r.body().length < span.length()) {
        failure = new IOException("short body: " + r.body().length + " of " + span.length() + " bytes of " + f.path());
        break;
      }
    }
    // Keep every whole piece that arrived, even when the unit did not.
    for (int p = u.first(); p < u.end(); p++) {
      int off = (int) (layout.pieceOffset(p) - from);
      int size = layout.pieceSize(p);
      if (off + size > got) break;
      if (store.has(p)) {
        s.wasted.addAndGet(size);
        continue;
      }
      if (!store.verify(p, buf, off)) {
        synchronized (this) {
          s.badPieces++;
          if (s.badPiece == null) s.badPiece = p;
        }
        drop(s, "banned: piece " + p + " does not match the torrent's hash");
        throw new IOException("bad piece " + p + " from " + s.location.id());
      }
      if (store.write(p, buf, off)) {
        s.bytes.addAndGet(size);
        s.pieces.incrementAndGet();
        progress.update(done.addAndGet(size));
      } else {
        s.wasted.addAndGet(size);
      }
    }
    try {
      store.save(false);
    } catch (RuntimeException e) {
      if (!Thread.currentThread().isInterrupted()) throw e; // interrupted at the end: the final save follows
    }
    if (failure != null) throw failure;
  }

  static String path(String relative) {
    StringBuilder sb = new StringBuilder();
    for (String part : relative.split("/")) {
      if (sb.length() > 0) sb.append('/');
      sb.append(CatalogResolver.encode(part));
    }
    return sb.toString();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
