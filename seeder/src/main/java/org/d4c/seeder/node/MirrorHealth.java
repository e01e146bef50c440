package org.d4c.seeder.node;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.libtorrent4j.TorrentInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror health table: the last probe of every mirror of every dataset, and when each last answered right.
 * Probes run on their own thread ({@link MirrorProber}), one round per probe interval, each probing a different piece;
 * a change of status is handed back to the loop thread (web seed added or removed, re-plan).
 */
final class MirrorHealth {
  private static final Logger LOG = LoggerFactory.getLogger(MirrorHealth.class);

  /** A mirror whose status changed: what the loop must apply. */
  record Change(HeldTorrent torrent, CatalogSync.Mirror mirror, MirrorProber.Status status) {}

  private final MirrorProber prober;
  private final Duration interval;
  private final ExecutorService probes = Executors.newSingleThreadExecutor(r -> SeedNode.daemon(r, "seeder-probe"));
  private final Map<String, Map<String, MirrorProber.Result>> last = new ConcurrentHashMap<>(); // info-hash -> base -> last
  private final Map<String, Map<String, Instant>> lastOk = new ConcurrentHashMap<>();
  private volatile boolean probing;
  private volatile Instant next = Instant.EPOCH;

  MirrorHealth(Config config) {
    this.prober = new MirrorProber(config.policy(), Duration.ofSeconds(20), config.clock());
    this.interval = config.probeInterval();
  }

  /** Starts a probe round when one is due and none runs; {@code onChange} runs on the probe thread. */
  void maybeProbe(Collection<HeldTorrent> held, Instant now, Consumer<Change> onChange) {
    if (probing || now.isBefore(next)) return;
    next = now.plus(interval);
    List<Object[]> jobs = new ArrayList<>();
    for (HeldTorrent h : held) {
      TorrentInfo ti = h.dataset.info();
      int piece = Math.floorMod(h.probeCount++ * 7919, Math.max(1, ti.numPieces()));
      for (CatalogSync.Mirror m : h.dataset.mirrors()) jobs.add(new Object[] {h, m, piece});
    }
    if (jobs.isEmpty()) return;
    probing = true;
    probes.submit(() -> {
      try {
        for (Object[] j : jobs) {
          HeldTorrent h = (HeldTorrent) j[0];
          CatalogSync.Mirror m = (CatalogSync.Mirror) j[1];
          MirrorProber.Result r = prober.probe(m.base(), h.dataset.info(), (Integer) j[2]);
          String hash = h.infoHash();
          MirrorProber.Result before = last.computeIfAbsent(hash, k -> new ConcurrentHashMap<>()).put(m.base(), r);
          if (r.status() == MirrorProber.Status.OK) lastOk.computeIfAbsent(hash, k -> new ConcurrentHashMap<>()).put(m.base(), r.at());
          if (before == null || before.status() != r.status()) {
            LOG.info("mirror {} of {}: {} ({})", m.id(), h.itemId(), r.status(), r.detail());
            onChange.accept(new Change(h, m, r.status()));
          }
        }
      } finally {
        probing = false;
      }
    });
  }

  /** The next round starts at the next tick. */
  void probeSoon() {
    next = Instant.EPOCH;
  }

  void forget(String infoHash) {
    last.remove(infoHash);
    lastOk.remove(infoHash);
  }

  /** Mirrors of the dataset whose last probe was {@code ok}. */
  int healthy(String infoHash) {
    Map<String, MirrorProber.Result> m = last.get(infoHash);
    if (m == null) return 0;
    int n = 0;
    for (MirrorProber.Result r : m.values()) if (r.status() == MirrorProber.Status.OK) n++;
    return n;
  }

  /** Whether the mirror served wrong bytes or a refused redirect: it must not be a web seed. */
  boolean refused(String infoHash, String base) {
    MirrorProber.Result r = last.getOrDefault(infoHash, Map.of()).get(base);
    return r != null && (r.status() == MirrorProber.Status.CORRUPT || r.status() == MirrorProber.Status.REFUSED);
  }

  MirrorProber.Result last(String infoHash, String base) {
    return last.getOrDefault(infoHash, Map.of()).get(base);
  }

  Instant lastOk(String infoHash, String base) {
    return lastOk.getOrDefault(infoHash, Map.of()).get(base);
  }

  void close() {
    probes.shutdownNow();
  }
}
