package org.d4c.seeder.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.d4c.seeder.plan.Planner;
import org.libtorrent4j.TorrentInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running seeder and its loop. One thread ("seeder-main") owns the parts and does, in turn: catalog sync
 * ({@link CatalogSync}) every sync interval and reconciliation of the session with it, then every second a tick —
 * read held pieces and swarm availability ({@link TorrentSession}), re-plan ({@link Planner}) when the catalog, the
 * mirrors' health ({@link MirrorHealth}) or the swarm changed, apply the plan as piece priorities and free the pieces
 * it dropped, check the disk ({@link DiskGuard}), build the status ({@link StatusSnapshot}) and persist
 * {@link NodeState}. Every time read goes through the configured clock.
 *
 * <p>Data layout: {@code DATA/torrents/<infohash>/<root folder>/...}, state in {@code DATA/.d4c-seeder/}.
 */
public final class SeedNode implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(SeedNode.class);
  private static final Duration SAVE_EVERY = Duration.ofSeconds(5);
  private static final Duration REDIAL_EVERY = Duration.ofSeconds(10);
  private static final Duration SESSION_SAVE_EVERY = Duration.ofMinutes(1);

  private final Config config;
  private final String nodeId;
  private final CatalogSync sync;
  private final TorrentSession session;
  private final DiskGuard disk;
  private final MirrorHealth health;
  private final StatusSnapshot statusBuilder;
  private final ScheduledExecutorService main = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "seeder-main"));
  private final Map<String, HeldTorrent> held = new TreeMap<>(); // info-hash -> dataset in the session (main thread only)
  // Dropped datasets whose folders are not gone yet: libtorrent removes a torrent on its own thread and may still write
  // to the folder after remove_torrent returns, so deletion is retried on each tick until the folder is gone.
  private final java.util.Set<String> toDelete = new java.util.TreeSet<>();

  private volatile ObjectNode status;
  private volatile boolean replanNeeded = true;
  private volatile boolean syncNow = false;
  private volatile boolean recheckNow = false;
  private Planner.Plan plan;
  private String lastAvailabilityKey = "";
  private String catalogError;
  private Instant lastSync;
  private Instant lastSyncOk;
  private Map<String, String> problems = Map.of();
  private CatalogSync.Snapshot snapshot;
  private Instant nextSync = Instant.EPOCH;
  private Instant nextConnect = Instant.EPOCH;
  private Instant nextRecheck;
  private Instant nextSave = Instant.EPOCH;
  private Instant nextSessionSave;

  public SeedNode(Config config) {
    this.config = Objects.requireNonNull(config);
    try {
      Files.createDirectories(config.data().resolve(NodeState.DIR));
      Files.createDirectories(config.data().resolve(TorrentSession.TORRENTS));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the data folder " + config.data() + ": " + e.getMessage(), e);
    }
    this.nodeId = NodeState.nodeId(config.data());
    this.sync = new CatalogSync(config.catalog(), config.data(), config.policy());
    this.session = new TorrentSession(config, nodeId);
    this.disk = new DiskGuard(config);
    this.health = new MirrorHealth(config);
    this.statusBuilder = new StatusSnapshot(config, nodeId, session, disk, health);
    this.nextRecheck = config.clock().instant().plus(config.recheckInterval());
    this.nextSessionSave = config.clock().instant().plus(Duration.ofSeconds(5)); // once the DHT has started
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Starts the session and the loops; returns once the first sync was tried. */
  public SeedNode start() {
    session.start();
    restoreFromState();
    try {
      main.submit(this::syncCatalog).get();
    } catch (Exception e) {
      LOG.warn("first catalog sync failed: {}", e.getMessage());
    }
    main.scheduleWithFixedDelay(this::tickSafely, 0, 1, TimeUnit.SECONDS);
    return this;
  }

  public String nodeId() {
    return nodeId;
  }

  /** The port libtorrent listens on (first endpoint), or -1. */
  public int listenPort() {
    return session.listenPort();
  }

  /** The status snapshot (see {@link org.d4c.seeder.status.StatusServer}). */
  public ObjectNode status() {
    ObjectNode s = status;
    return s == null ? NodeState.JSON.createObjectNode().put("node_id", nodeId).put("starting", true) : s;
  }

  /** Asks for a catalog sync at the next tick. */
  public void syncSoon() {
    syncNow = true;
  }

  /** Asks for a recheck of every piece on disk at the next tick. */
  public void recheckSoon() {
    recheckNow = true;
  }

  /** Probes every mirror at the next tick (tests; the loop does this every probe interval). */
  public void probeSoon() {
    health.probeSoon();
  }

  // ---------------------------------------------------------------- catalog

  private void restoreFromState() {
    Map<String, NodeState.Pieces> saved;
    try {
      saved = NodeState.load(config.data());
    } catch (IOException e) {
      catalogError = "cannot read the saved state: " + e.getMessage();
      return;
    }
    List<CatalogSync.Dataset> ds = new ArrayList<>();
    for (Map.Entry<String, NodeState.Pieces> e : saved.entrySet()) {
      Path t = config.data().resolve(NodeState.DIR).resolve("torrents").resolve(e.getKey() + ".torrent");
      if (!Files.isRegularFile(t)) continue;
      try {
        byte[] bytes = Files.readAllBytes(t);
        TorrentInfo ti = SafeTorrent.parse(bytes, t.toString());
        List<CatalogSync.Mirror> mirrors = new ArrayList<>();
        ti.webSeeds().forEach(w -> mirrors.add(new CatalogSync.Mirror(URI.create(w.url()).getHost(), w.url())));
        ds.add(new CatalogSync.Dataset(e.getValue().itemId(), e.getKey(), bytes, ti, mirrors));
      } catch (IOException | RuntimeException ex) {
        LOG.warn("saved torrent {} ignored: {}", t, ex.getMessage());
      }
    }
    if (!ds.isEmpty()) {
      snapshot = new CatalogSync.Snapshot(ds, Map.of(), null);
      reconcile(snapshot);
      for (Map.Entry<String, NodeState.Pieces> e : saved.entrySet()) {
        HeldTorrent h = held.get(e.getKey());
        if (h != null) {
          h.planned = e.getValue().planned();
          session.applyPriorities(h, false);
        }
      }
    }
  }

  private void syncCatalog() {
    lastSync = config.clock().instant();
    try {
      CatalogSync.Snapshot s = sync.read();
      snapshot = s;
      problems = s.problems();
      catalogError = null;
      lastSyncOk = lastSync;
      reconcile(s);
      LOG.info("catalog synced: {} datasets with a torrent, {} problems", s.datasets().size(), s.problems().size());
      s.problems().forEach((k, v) -> LOG.warn("catalog item {}: {}", k, v));
    } catch (RuntimeException e) {
      catalogError = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warn("catalog sync failed, keeping the last good one ({} datasets): {}", held.size(), catalogError);
    }
    replanNeeded = true;
    nextSync = config.clock().instant().plus(config.syncInterval());
  }

  /** Makes the session hold exactly the snapshot's datasets: new ones added, gone ones removed with their files. */
  private void reconcile(CatalogSync.Snapshot s) {
    Map<String, CatalogSync.Dataset> want = new TreeMap<>();
    for (CatalogSync.Dataset d : s.datasets()) want.put(d.infoHash(), d);
    for (String hash : new ArrayList<>(held.keySet())) {
      if (!want.containsKey(hash)) {
        HeldTorrent h = held.remove(hash);
        LOG.info("dropping {} ({}): no longer in the catalog", h.itemId(), hash);
        session.removeWithFiles(h);
        health.forget(hash);
        toDelete.add(hash);
      }
    }
    toDelete.removeAll(want.keySet()); // a dataset back in the catalog keeps its folder
    deletePending();
    for (CatalogSync.Dataset d : want.values()) {
      if (held.containsKey(d.infoHash())) continue;
      held.put(d.infoHash(), new HeldTorrent(d, session.add(d, null, new byte[d.info().numPieces()]), config.swarmMemory()));
      LOG.info("added {} ({}, {} pieces of {})", d.itemId(), d.infoHash(), d.info().numPieces(), d.info().pieceLength());
    }
  }

  // ---------------------------------------------------------------- the tick

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.error("seeder tick failed", e);
    }
  }

  private void tick() {
    Instant now = config.clock().instant();
    if (!toDelete.isEmpty()) deletePending();
    if (syncNow || !now.isBefore(nextSync)) {
      syncNow = false;
      syncCatalog();
    }
    if (recheckNow || !now.isBefore(nextRecheck)) {
      recheckNow = false;
      nextRecheck = now.plus(config.recheckInterval());
      for (HeldTorrent h : held.values()) {
        LOG.info("rechecking {} on disk", h.itemId());
        h.handle.forceRecheck();
        h.checking = true;
      }
    }
    if (!now.isBefore(nextConnect)) {
      // Freeing pieces and rechecks drop every connection; configured peers are dialled again, as a tracker
      // re-announce would bring back the others.
      nextConnect = now.plus(REDIAL_EVERY);
      for (HeldTorrent h : held.values()) session.connectPeers(h.handle);
    }
    for (HeldTorrent h : held.values()) session.read(h, now);
    disk.measure();
    health.maybeProbe(held.values(), now, c -> main.execute(() -> webSeed(c)));
    String key = availabilityKey();
    if (replanNeeded || !key.equals(lastAvailabilityKey)) {
      if (held.values().stream().noneMatch(h -> h.checking)) {
        replanNeeded = false;
        lastAvailabilityKey = key;
        replan();
      }
    }
    if (disk.check()) for (HeldTorrent h : held.values()) session.applyPriorities(h, disk.stopped() != null);
    status = statusBuilder.build(now, held.values(), plan,
        new StatusSnapshot.CatalogState(lastSync, lastSyncOk, catalogError, problems));
    if (!now.isBefore(nextSave)) {
      saveState();
      nextSave = now.plus(SAVE_EVERY);
    }
    if (!now.isBefore(nextSessionSave)) {
      // The DHT node id and routing table: a restarted node keeps its id and rejoins through the nodes it knew.
      session.saveSessionState();
      statusBuilder.refreshDhtNodeId();
      nextSessionSave = now.plus(SESSION_SAVE_EVERY);
    }
  }

  /** Only mirrors that did not serve wrong bytes or a refused redirect stay web seeds of the torrent. */
  private void webSeed(MirrorHealth.Change c) {
    HeldTorrent h = c.torrent();
    if (!h.handle.isValid()) return;
    MirrorProber.Status s = c.status();
    String base = c.mirror().base();
    if (s == MirrorProber.Status.CORRUPT || s == MirrorProber.Status.REFUSED) h.handle.removeUrlSeed(base);
    else if (s == MirrorProber.Status.OK && !h.handle.urlSeeds().contains(base)) h.handle.addUrlSeed(base);
    replanNeeded = true;
  }

  /** Changes in what the swarm and the mirrors hold: a new key triggers a re-plan. */
  private String availabilityKey() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, HeldTorrent> e : held.entrySet()) {
      sb.append(e.getKey()).append(Arrays.hashCode(e.getValue().swarm)).append('/').append(Arrays.hashCode(e.getValue().ahead))
          .append('/').append(Arrays.hashCode(e.getValue().before))
          .append(health.healthy(e.getKey())).append(';');
    }
    return sb.toString();
  }

  /**
   * The pieces below two copies that the swarm's spare room is matched to, and of those this node's, per info-hash
   * ({@link Planner#matchSpareRoom}, from the peers' ids and bitfields as last read, this node among them).
   */
  private Map<String, BitSet> matchSpareRoom(Map<String, long[]> costs) {
    if (config.mode() != Planner.Mode.SMART) return Map.of();
    List<Planner.Swarm> swarms = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (Map.Entry<String, HeldTorrent> e : held.entrySet()) {
      HeldTorrent h = e.getValue();
      TorrentInfo ti = h.dataset.info();
      int n = h.peerKeys.length;
      long[] keys = Arrays.copyOf(h.peerKeys, n + 1);
      BitSet[] pieces = Arrays.copyOf(h.peerPieces, n + 1);
      boolean[] node = Arrays.copyOf(h.peerNode, n + 1);
      keys[n] = session.holderKey();
      pieces[n] = h.have;
      node[n] = true;
      swarms.add(new Planner.Swarm(e.getKey(), ti.pieceLength(), ti.totalSize(), costs.get(e.getKey()), keys, pieces, node));
      ids.add(e.getKey());
    }
    BitSet[] mine = Planner.matchSpareRoom(swarms).get(session.holderKey());
    if (mine == null) return Map.of();
    Map<String, BitSet> out = new java.util.HashMap<>();
    for (int k = 0; k < ids.size(); k++) if (!mine[k].isEmpty()) out.put(ids.get(k), mine[k]);
    return out;
  }

  private void replan() {
    List<Planner.Torrent> ts = new ArrayList<>();
    Map<String, long[]> costs = new java.util.HashMap<>();
    for (Map.Entry<String, HeldTorrent> e : held.entrySet()) costs.put(e.getKey(), costs(e.getValue().dataset.info()));
    Map<String, BitSet> matched = matchSpareRoom(costs);
    for (Map.Entry<String, HeldTorrent> e : held.entrySet()) {
      HeldTorrent h = e.getValue();
      TorrentInfo ti = h.dataset.info();
      int[] hint = snapshot == null || snapshot.hint() == null ? null : snapshot.hint().copies(e.getKey(), ti.numPieces());
      int[] before = h.before.length == ti.numPieces() ? h.before : null;
      BitSet mine = matched.get(e.getKey());
      if (mine != null && before != null) { // a piece matched to this node: planned as the first in rank to fetch it
        before = before.clone();
        for (int i = mine.nextSetBit(0); i >= 0 && i < before.length; i = mine.nextSetBit(i + 1)) before[i] = 0;
      }
      ts.add(new Planner.Torrent(e.getKey(), ti.pieceLength(), ti.totalSize(), h.swarm, health.healthy(e.getKey()), hint,
          (BitSet) h.have.clone(), costs.get(e.getKey()), h.ahead.length == ti.numPieces() ? h.ahead : null, before));
    }
    // The node's own tie-break among equally rare pieces: Smart Nodes that see the same swarm pick different pieces;
    // held pieces follow the holders' agreement (h.ahead, from the peers' ids and bitfields).
    Planner.Plan p = Planner.plan(ts, config.budget() - disk.overhead(held.values()), config.mode(), spread());
    plan = p;
    boolean onlyHeld = disk.stopped() != null;
    for (Map.Entry<String, HeldTorrent> e : held.entrySet()) {
      HeldTorrent h = e.getValue();
      BitSet w = p.wanted().getOrDefault(e.getKey(), new BitSet());
      BitSet drop = (BitSet) h.have.clone();
      drop.andNot(w);
      h.planned = w;
      if (!drop.isEmpty()) {
        session.free(h, drop, onlyHeld);
        for (CatalogSync.Mirror m : h.dataset.mirrors()) {
          if (health.refused(h.infoHash(), m.base())) h.handle.removeUrlSeed(m.base());
        }
      }
    }
    for (HeldTorrent h : held.values()) session.applyPriorities(h, onlyHeld);
    if (p.pinnedOverBudget()) LOG.warn("pieces this node alone holds take {} bytes, more than the budget", p.pinnedBytes());
    LOG.info("plan: {} bytes of {} wanted over {} datasets", p.plannedBytes(), config.budget(), held.size());
  }

  /** A non-zero number derived from the node id (stable across restarts). */
  private long spread() {
    java.util.UUID u = java.util.UUID.fromString(nodeId);
    long x = u.getMostSignificantBits() ^ u.getLeastSignificantBits();
    return x == 0 ? 1 : x;
  }

  /** Bytes a piece may occupy on disk: whole blocks, plus one block per file edge inside it. */
  private static long[] costs(TorrentInfo ti) {
    long[] c = new long[ti.numPieces()];
    for (int i = 0; i < c.length; i++) {
      long bytes = ti.pieceSize(i);
      int files = ti.mapBlock(i, 0, ti.pieceSize(i)).size();
      c[i] = (bytes + Planner.BLOCK - 1) / Planner.BLOCK * Planner.BLOCK + (long) Planner.BLOCK * (files + 1);
    }
    return c;
  }

  // ---------------------------------------------------------------- state

  private void saveState() {
    Map<String, NodeState.Pieces> out = new TreeMap<>();
    for (Map.Entry<String, HeldTorrent> e : held.entrySet()) {
      out.put(e.getKey(), new NodeState.Pieces(e.getValue().itemId(), e.getValue().have, e.getValue().planned));
    }
    try {
      NodeState.save(config.data(), config.mode().name().toLowerCase(java.util.Locale.ROOT), config.budget(), out);
    } catch (RuntimeException e) {
      LOG.warn("{}", e.getMessage());
    }
  }

  /** Deletes the folders of dropped datasets; a folder that cannot be deleted yet is tried again on the next tick. */
  private void deletePending() {
    toDelete.removeIf(hash -> deleteTree(session.saveDir(hash)));
  }

  /** True when the folder is gone. */
  private static boolean deleteTree(Path dir) {
    if (!Files.exists(dir)) return true;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.debug("cannot delete {} yet: {}", dir, e.getMessage());
    }
    return !Files.exists(dir);
  }

  @Override
  public void close() {
    try {
      main.submit(() -> {
        saveState();
        session.saveSessionState();
      }).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("state not saved at close: {}", e.getMessage());
    }
    main.shutdownNow();
    health.close();
    try {
      main.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    session.stop();
  }
}
