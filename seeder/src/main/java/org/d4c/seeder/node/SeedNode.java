package org.d4c.seeder.node;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.d4c.seeder.disk.HolePunch;
import org.d4c.seeder.plan.Planner;
import org.libtorrent4j.FileSlice;
import org.libtorrent4j.PieceIndexBitfield;
import org.libtorrent4j.Priority;
import org.libtorrent4j.SessionManager;
import org.libtorrent4j.SessionParams;
import org.libtorrent4j.SettingsPack;
import org.libtorrent4j.TorrentHandle;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.TorrentStatus;
import org.libtorrent4j.swig.add_torrent_params;
import org.libtorrent4j.swig.error_code;
import org.libtorrent4j.swig.settings_pack;
import org.libtorrent4j.swig.tcp_endpoint;
import org.libtorrent4j.swig.torrent_flags_t;
import org.libtorrent4j.swig.torrent_handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running seeder: one libtorrent session, the catalog datasets in it, the plan, the mirror health table.
 *
 * <p>One thread ("seeder-main") owns the session and does, in turn: catalog sync ({@link CatalogSync}) every sync
 * interval, then every second a tick — read held pieces and swarm availability from libtorrent, re-plan
 * ({@link Planner}) when the catalog, the mirrors' health or the swarm changed, apply the plan as piece priorities
 * (wanted = 4, others = 0), free pieces the plan dropped (holes punched, the torrent added again with the pieces it keeps), guard the disk (real usage
 * against the budget, free space against the reserve: past either, no new piece is fetched), and persist
 * {@link NodeState}. A second thread probes mirrors ({@link MirrorProber}). {@link #status()} is a snapshot the tick
 * builds, safe to read from any thread.
 *
 * <p>Data layout: {@code DATA/torrents/<infohash>/<root folder>/...} (files kept sparse by libtorrent), state in
 * {@code DATA/.d4c-seeder/}.
 */
public final class SeedNode implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(SeedNode.class);
  static final String TORRENTS = "torrents";

  private final Config config;
  private final String nodeId;
  private final CatalogSync sync;
  private final MirrorProber prober;
  private final SessionManager session = new SessionManager(false);
  private final ScheduledExecutorService main = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "seeder-main"));
  private final ExecutorService probes = Executors.newSingleThreadExecutor(r -> daemon(r, "seeder-probe"));
  private final Map<String, Held> held = new TreeMap<>(); // info-hash -> dataset in the session (main thread only)
  private final Map<String, Map<String, MirrorProber.Result>> health = new ConcurrentHashMap<>(); // info-hash -> base -> last
  private final Map<String, Map<String, Instant>> lastOk = new ConcurrentHashMap<>();

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
  private long usedBytes;
  private long freeBytes;
  private String stopped; // why downloads are stopped, or null
  private Instant nextSync = Instant.EPOCH;
  private Instant nextProbe = Instant.EPOCH;
  private Instant nextConnect = Instant.EPOCH;
  private Instant nextRecheck;
  private boolean probing;
  private long lastSave;

  /** A dataset in the session. */
  private static final class Held {
    final CatalogSync.Dataset dataset;
    TorrentHandle handle; // replaced when pieces are freed (the torrent is added again)
    BitSet have = new BitSet();
    BitSet planned = new BitSet();
    int[] swarm = new int[0];
    boolean checking = true;
    final SwarmMemory memory;
    int probeCount;

    Held(CatalogSync.Dataset dataset, TorrentHandle handle, java.time.Duration swarmMemory) {
      this.dataset = dataset;
      this.handle = handle;
      this.memory = new SwarmMemory(swarmMemory);
    }
  }

  public SeedNode(Config config) {
    this.config = Objects.requireNonNull(config);
    try {
      Files.createDirectories(config.data().resolve(NodeState.DIR));
      Files.createDirectories(config.data().resolve(TORRENTS));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the data folder " + config.data() + ": " + e.getMessage(), e);
    }
    this.nodeId = NodeState.nodeId(config.data());
    this.sync = new CatalogSync(config.catalog(), config.data(), config.policy());
    this.prober = new MirrorProber(config.policy(), java.time.Duration.ofSeconds(20), config.clock());
    this.nextRecheck = config.clock().instant().plus(config.recheckInterval());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Starts the session and the loops; returns once the first sync was tried. */
  public SeedNode start() {
    SettingsPack sp = new SettingsPack();
    sp.listenInterfaces(config.listen());
    sp.setEnableDht(false);
    sp.setEnableLsd(false);
    sp.setBoolean(settings_pack.bool_types.enable_upnp.swigValue(), false);
    sp.setBoolean(settings_pack.bool_types.enable_natpmp.swigValue(), false);
    // Two partial holders are both "upload only" towards each other; keep them connected so their bitfields count.
    sp.setBoolean(settings_pack.bool_types.close_redundant_connections.swigValue(), false);
    sp.setBoolean(settings_pack.bool_types.allow_multiple_connections_per_ip.swigValue(), true);
    // libtorrent refuses web-seed redirects from a global to a local address itself (SSRF mitigation).
    sp.setBoolean(settings_pack.bool_types.ssrf_mitigation.swigValue(), true);
    sp.setString(settings_pack.string_types.user_agent.swigValue(), "d4c-seeder");
    SessionParams params = new SessionParams(sp);
    // libtorrent's default disk I/O maps files into memory and guards those accesses with its own SIGSEGV/SIGBUS
    // handlers; with it this JVM died (exit 139, no hs_err file) once a second dataset was written. The pread/pwrite
    // back end has no such handlers; a punched hole then simply reads back as zeros and fails its hash.
    params.setPosixDiskIO();
    session.start(params);
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
    for (int i = 0; i < 100; i++) {
      if (session.swig().is_listening()) return session.swig().listen_port();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
    return -1;
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
        Held h = held.get(e.getKey());
        if (h != null) {
          h.planned = e.getValue().planned();
          applyPriorities(h, false);
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

  private void reconcile(CatalogSync.Snapshot s) {
    Map<String, CatalogSync.Dataset> want = new TreeMap<>();
    for (CatalogSync.Dataset d : s.datasets()) want.put(d.infoHash(), d);
    for (String hash : new ArrayList<>(held.keySet())) {
      if (!want.containsKey(hash)) {
        Held h = held.remove(hash);
        LOG.info("dropping {} ({}): no longer in the catalog", h.dataset.itemId(), hash);
        session.swig().remove_torrent(h.handle.swig(), org.libtorrent4j.swig.session_handle.delete_files);
        health.remove(hash);
        deleteTree(config.data().resolve(TORRENTS).resolve(hash));
      }
    }
    for (CatalogSync.Dataset d : want.values()) {
      if (held.containsKey(d.infoHash())) continue;
      held.put(d.infoHash(), new Held(d, add(d, null, new byte[d.info().numPieces()]), config.swarmMemory()));
      LOG.info("added {} ({}, {} pieces of {})", d.itemId(), d.infoHash(), d.info().numPieces(), d.info().pieceLength());
    }
  }

  /**
   * Adds the dataset's torrent to the session.
   *
   * @param have pieces to take as held without hashing them (resume data), or null: libtorrent checks the files
   * @param priorities per piece (0 = ignore, 4 = fetch)
   */
  private TorrentHandle add(CatalogSync.Dataset d, BitSet have, byte[] priorities) {
    add_torrent_params p = new add_torrent_params();
    p.set_ti(d.info().swig());
    Path save = config.data().resolve(TORRENTS).resolve(d.infoHash());
    try {
      Files.createDirectories(save);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + save, e);
    }
    p.setSave_path(save.toAbsolutePath().toString());
    p.set_piece_priorities(org.libtorrent4j.Vectors.bytes2byte_vector(priorities));
    if (have != null) {
      org.libtorrent4j.swig.bitfield bits = new org.libtorrent4j.swig.bitfield(d.info().numPieces());
      for (int i = have.nextSetBit(0); i >= 0; i = have.nextSetBit(i + 1)) bits.set_bit(i);
      p.set_have_pieces(bits);
    }
    torrent_flags_t flags = new torrent_flags_t(); // not auto-managed, not paused
    p.setFlags(flags);
    error_code ec = new error_code();
    torrent_handle th = session.swig().add_torrent(p, ec);
    if (ec.failed()) throw new IllegalStateException("libtorrent refused " + d.itemId() + ": " + ec.message());
    TorrentHandle h = new TorrentHandle(th);
    for (String peer : config.extraPeers()) connect(h, peer);
    return h;
  }

  private static void connect(TorrentHandle h, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    h.swig().connect_peer(new tcp_endpoint(org.libtorrent4j.swig.address.from_string(hostPort.substring(0, colon), new error_code()),
        Integer.parseInt(hostPort.substring(colon + 1))));
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
    if (syncNow || !now.isBefore(nextSync)) {
      syncNow = false;
      syncCatalog();
    }
    if (recheckNow || !now.isBefore(nextRecheck)) {
      recheckNow = false;
      nextRecheck = now.plus(config.recheckInterval());
      for (Held h : held.values()) {
        LOG.info("rechecking {} on disk", h.dataset.itemId());
        h.handle.forceRecheck();
        h.checking = true;
      }
    }
    if (!now.isBefore(nextConnect)) {
      // Freeing pieces and rechecks drop every connection; configured peers are dialled again, as a tracker
      // re-announce would bring back the others.
      nextConnect = now.plus(java.time.Duration.ofSeconds(10));
      for (Held h : held.values()) for (String peer : config.extraPeers()) connect(h.handle, peer);
    }
    readSession(now);
    measureDisk();
    if (!probing && !now.isBefore(nextProbe)) startProbes(now);
    String key = availabilityKey();
    if (replanNeeded || !key.equals(lastAvailabilityKey)) {
      if (held.values().stream().noneMatch(h -> h.checking)) {
        replanNeeded = false;
        lastAvailabilityKey = key;
        replan();
      }
    }
    guardDisk();
    status = buildStatus(now);
    if (System.currentTimeMillis() - lastSave > 5000) saveState();
  }

  private void readSession(Instant now) {
    for (Held h : held.values()) {
      TorrentStatus st = h.handle.status(TorrentHandle.QUERY_PIECES);
      TorrentStatus.State state = st.state();
      h.checking = state == TorrentStatus.State.CHECKING_FILES || state == TorrentStatus.State.CHECKING_RESUME_DATA;
      PieceIndexBitfield pieces = st.pieces();
      BitSet have = new BitSet(pieces.size());
      for (int i = 0; i < pieces.size(); i++) if (pieces.getBit(i)) have.set(i);
      h.have = have;
      h.swarm = h.memory.update(h.handle.pieceAvailability(), now);
    }
  }

  /** Changes in what the swarm and the mirrors hold: a new key triggers a re-plan. */
  private String availabilityKey() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Held> e : held.entrySet()) {
      sb.append(e.getKey()).append(Arrays.hashCode(e.getValue().swarm)).append(healthyMirrors(e.getKey())).append(';');
    }
    return sb.toString();
  }

  private int healthyMirrors(String hash) {
    Map<String, MirrorProber.Result> m = health.get(hash);
    if (m == null) return 0;
    int n = 0;
    for (MirrorProber.Result r : m.values()) if (r.status() == MirrorProber.Status.OK) n++;
    return n;
  }

  private void replan() {
    List<Planner.Torrent> ts = new ArrayList<>();
    for (Map.Entry<String, Held> e : held.entrySet()) {
      Held h = e.getValue();
      TorrentInfo ti = h.dataset.info();
      int[] hint = snapshot == null || snapshot.hint() == null ? null : snapshot.hint().copies(e.getKey(), ti.numPieces());
      BitSet have = (BitSet) h.have.clone();
      ts.add(new Planner.Torrent(e.getKey(), ti.pieceLength(), ti.totalSize(), h.swarm, healthyMirrors(e.getKey()), hint, have,
          costs(ti)));
    }
    Planner.Plan p = Planner.plan(ts, config.budget() - overhead(), config.mode());
    plan = p;
    for (Map.Entry<String, Held> e : held.entrySet()) {
      Held h = e.getValue();
      BitSet w = p.wanted().getOrDefault(e.getKey(), new BitSet());
      BitSet drop = (BitSet) h.have.clone();
      drop.andNot(w);
      h.planned = w;
      if (!drop.isEmpty()) free(h, drop);
    }
    for (Held h : held.values()) applyPriorities(h, stopped != null);
    if (p.pinnedOverBudget()) LOG.warn("pieces this node alone holds take {} bytes, more than the budget", p.pinnedBytes());
    LOG.info("plan: {} bytes of {} wanted over {} datasets", p.plannedBytes(), config.budget(), held.size());
  }

  /**
   * Bytes on disk that are not pieces, kept out of the plan's budget: the state folder as measured, one block for
   * every folder the torrents need, and 16 KiB for the state file's temporary copy and the measuring delay.
   */
  private long overhead() {
    long state;
    try {
      state = config.disk().usedBytes(config.data().resolve(NodeState.DIR));
    } catch (IOException e) {
      state = 1L << 20;
    }
    long folders = 2; // DATA and DATA/torrents
    for (Held h : held.values()) {
      java.util.Set<String> dirs = new java.util.TreeSet<>();
      org.libtorrent4j.FileStorage fs = h.dataset.info().files();
      for (int i = 0; i < fs.numFiles(); i++) {
        for (Path d = Path.of(fs.filePath(i)).getParent(); d != null; d = d.getParent()) dirs.add(d.toString());
      }
      folders += 1 + dirs.size();
    }
    return state + folders * Planner.BLOCK + (16L << 10);
  }

  private static long[] costs(TorrentInfo ti) {
    long[] c = new long[ti.numPieces()];
    for (int i = 0; i < c.length; i++) {
      long bytes = ti.pieceSize(i);
      int files = ti.mapBlock(i, 0, ti.pieceSize(i)).size();
      c[i] = (bytes + Planner.BLOCK - 1) / Planner.BLOCK * Planner.BLOCK + (long) Planner.BLOCK * (files + 1);
    }
    return c;
  }

  /**
   * Frees held pieces the plan no longer wants. libtorrent cannot forget single pieces, so the torrent is taken out of
   * the session, holes are punched where the pieces were, and it is added back with the pieces it keeps given as
   * resume data: no rehash, and a freed piece cannot come back as held. (Forcing a recheck instead raced with the
   * next plan and let freed pieces be counted as held again.) Connections to this torrent's peers are lost either way.
   */
  private void free(Held h, BitSet drop) {
    TorrentInfo ti = h.dataset.info();
    Path save = config.data().resolve(TORRENTS).resolve(h.dataset.infoHash());
    BitSet keep = (BitSet) h.have.clone();
    keep.andNot(drop);
    session.swig().remove_torrent(h.handle.swig());
    try {
      for (int i = drop.nextSetBit(0); i >= 0; i = drop.nextSetBit(i + 1)) {
        for (FileSlice s : ti.mapBlock(i, 0, ti.pieceSize(i))) {
          Path f = save.resolve(ti.files().filePath(s.fileIndex()));
          if (Files.isRegularFile(f)) HolePunch.punch(f, s.offset(), s.size());
        }
      }
      LOG.info("freed {} pieces of {} for rarer ones", drop.cardinality(), h.dataset.itemId());
    } catch (IOException e) {
      LOG.warn("cannot free pieces of {}: {}; checking its files again", h.dataset.itemId(), e.getMessage());
      keep = null;
    }
    h.handle = add(h.dataset, keep, priorities(h, stopped != null));
    h.have = keep == null ? new BitSet() : keep;
    h.checking = true;
    for (CatalogSync.Mirror m : h.dataset.mirrors()) {
      MirrorProber.Result r = health.getOrDefault(h.dataset.infoHash(), Map.of()).get(m.base());
      if (r != null && (r.status() == MirrorProber.Status.CORRUPT || r.status() == MirrorProber.Status.REFUSED)) {
        h.handle.removeUrlSeed(m.base());
      }
    }
  }

  private void applyPriorities(Held h, boolean onlyHeld) {
    byte[] p = priorities(h, onlyHeld);
    Priority[] pr = new Priority[p.length];
    for (int i = 0; i < p.length; i++) pr[i] = p[i] == 0 ? Priority.IGNORE : Priority.DEFAULT;
    h.handle.prioritizePieces(pr);
  }

  /** 4 (fetch) for planned pieces, 0 (ignore) for the others; with {@code onlyHeld}, nothing new is fetched. */
  private static byte[] priorities(Held h, boolean onlyHeld) {
    byte[] p = new byte[h.dataset.info().numPieces()];
    for (int i = 0; i < p.length; i++) {
      boolean want = h.planned.get(i) && (!onlyHeld || h.have.get(i));
      p[i] = (byte) (want ? Priority.DEFAULT.swig() : Priority.IGNORE.swig());
    }
    return p;
  }


  private void measureDisk() {
    try {
      usedBytes = config.disk().usedBytes(config.data());
      freeBytes = config.disk().freeBytes(config.data());
    } catch (IOException e) {
      LOG.warn("cannot measure disk usage: {}", e.getMessage());
    }
  }

  /** Past the budget or below the free-space reserve, stop fetching (held pieces stay and are still seeded). */
  private void guardDisk() {
    String why = null;
    if (freeBytes < config.reserveBytes()) {
      why = "disk almost full: " + freeBytes + " bytes free, reserve " + config.reserveBytes();
    } else if (usedBytes >= config.budget()) {
      why = "budget reached: " + usedBytes + " bytes on disk, budget " + config.budget();
    }
    if (!Objects.equals(why, stopped)) {
      if (why != null) LOG.warn("new downloads stopped: {}", why);
      else LOG.info("new downloads resumed");
      boolean was = stopped != null;
      stopped = why;
      if (was != (why != null)) for (Held h : held.values()) applyPriorities(h, why != null);
    }
  }

  // ---------------------------------------------------------------- mirrors

  private void startProbes(Instant now) {
    nextProbe = now.plus(config.probeInterval());
    List<Object[]> jobs = new ArrayList<>();
    for (Held h : held.values()) {
      TorrentInfo ti = h.dataset.info();
      int piece = Math.floorMod(h.probeCount++ * 7919, Math.max(1, ti.numPieces()));
      for (CatalogSync.Mirror m : h.dataset.mirrors()) jobs.add(new Object[] {h, m, piece});
    }
    if (jobs.isEmpty()) return;
    probing = true;
    probes.submit(() -> {
      try {
        for (Object[] j : jobs) {
          Held h = (Held) j[0];
          CatalogSync.Mirror m = (CatalogSync.Mirror) j[1];
          MirrorProber.Result r = prober.probe(m.base(), h.dataset.info(), (Integer) j[2]);
          String hash = h.dataset.infoHash();
          MirrorProber.Result before = health.computeIfAbsent(hash, k -> new ConcurrentHashMap<>()).put(m.base(), r);
          if (r.status() == MirrorProber.Status.OK) lastOk.computeIfAbsent(hash, k -> new ConcurrentHashMap<>()).put(m.base(), r.at());
          if (before == null || before.status() != r.status()) {
            LOG.info("mirror {} of {}: {} ({})", m.id(), h.dataset.itemId(), r.status(), r.detail());
            main.execute(() -> webSeed(h, m, r.status()));
          }
        }
      } finally {
        probing = false;
      }
    });
  }

  /** Only mirrors that did not serve wrong bytes or a refused redirect stay web seeds of the torrent. */
  private void webSeed(Held h, CatalogSync.Mirror m, MirrorProber.Status s) {
    if (!h.handle.isValid()) return;
    if (s == MirrorProber.Status.CORRUPT || s == MirrorProber.Status.REFUSED) h.handle.removeUrlSeed(m.base());
    else if (s == MirrorProber.Status.OK && !h.handle.urlSeeds().contains(m.base())) h.handle.addUrlSeed(m.base());
    replanNeeded = true;
  }

  /** Probes every mirror now (tests; the loop does this every probe interval). */
  public void probeSoon() {
    nextProbe = Instant.EPOCH;
  }

  // ---------------------------------------------------------------- state and status

  private void saveState() {
    Map<String, NodeState.Pieces> out = new TreeMap<>();
    for (Map.Entry<String, Held> e : held.entrySet()) {
      out.put(e.getKey(), new NodeState.Pieces(e.getValue().dataset.itemId(), e.getValue().have, e.getValue().planned));
    }
    try {
      NodeState.save(config.data(), config.mode().name().toLowerCase(java.util.Locale.ROOT), config.budget(), out);
      lastSave = System.currentTimeMillis();
    } catch (RuntimeException e) {
      LOG.warn("{}", e.getMessage());
    }
  }

  private ObjectNode buildStatus(Instant now) {
    ObjectNode root = NodeState.JSON.createObjectNode();
    ObjectNode node = root.putObject("node");
    node.put("id", nodeId);
    node.put("software", "d4c-seeder");
    node.put("mode", config.mode().name().toLowerCase(java.util.Locale.ROOT));
    // The configured interface with the port actually bound (port 0 picks one).
    int port = session.swig().is_listening() ? session.swig().listen_port() : -1;
    String iface = config.listen().substring(0, config.listen().lastIndexOf(':'));
    if (port > 0) node.put("listen", iface + ":" + port);
    else node.putNull("listen");
    node.put("time", now.toString());
    ObjectNode budget = root.putObject("budget");
    budget.put("bytes", config.budget());
    budget.put("used_bytes", usedBytes);
    budget.put("planned_bytes", plan == null ? 0 : plan.plannedBytes());
    budget.put("pinned_bytes", plan == null ? 0 : plan.pinnedBytes());
    budget.put("free_bytes", freeBytes);
    budget.put("reserve_bytes", config.reserveBytes());
    if (stopped == null) budget.putNull("downloads_stopped");
    else budget.put("downloads_stopped", stopped);
    ObjectNode cat = root.putObject("catalog");
    cat.put("location", redact(config.catalog()));
    cat.put("last_sync", lastSync == null ? null : lastSync.toString());
    cat.put("last_success", lastSyncOk == null ? null : lastSyncOk.toString());
    if (catalogError == null) cat.putNull("error");
    else cat.put("error", catalogError);
    ObjectNode pr = cat.putObject("problems");
    new TreeMap<>(problems).forEach(pr::put);
    long up = 0;
    long down = 0;
    ArrayNode ds = root.putArray("datasets");
    List<Held> order = new ArrayList<>(held.values());
    order.sort(Comparator.comparing(h -> h.dataset.itemId()));
    for (Held h : order) {
      String hash = h.dataset.infoHash();
      TorrentInfo ti = h.dataset.info();
      TorrentStatus st = h.handle.status();
      ObjectNode d = ds.addObject();
      d.put("item_id", h.dataset.itemId());
      d.put("infohash", hash);
      d.put("name", ti.name());
      d.put("size", ti.totalSize());
      d.put("piece_length", ti.pieceLength());
      d.put("pieces_total", ti.numPieces());
      d.put("pieces_held", h.have.cardinality());
      d.put("pieces_planned", h.planned.cardinality());
      d.put("held", ranges(h.have));
      d.put("state", h.checking ? "checking" : st.state().name().toLowerCase(java.util.Locale.ROOT));
      Planner.Risk risk = plan == null ? null : plan.risk().get(hash);
      ObjectNode r = d.putObject("risk");
      r.put("score", risk == null ? 0 : Math.round(risk.score() * 1e4) / 1e4);
      r.put("min_copies", risk == null ? 0 : risk.minCopies());
      r.put("at_risk_pieces", risk == null ? 0 : risk.atRiskPieces());
      r.put("healthy_mirrors", healthyMirrors(hash));
      d.put("peers", st.numPeers());
      d.put("upload_rate", st.uploadPayloadRate());
      d.put("download_rate", st.downloadPayloadRate());
      d.put("uploaded", st.allTimeUpload());
      d.put("downloaded", st.allTimeDownload());
      up += st.allTimeUpload();
      down += st.allTimeDownload();
      ArrayNode mirrors = d.putArray("mirrors");
      for (CatalogSync.Mirror m : h.dataset.mirrors()) {
        ObjectNode mo = mirrors.addObject();
        mo.put("id", m.id());
        mo.put("url", redact(m.base()));
        MirrorProber.Result res = health.getOrDefault(hash, Map.of()).get(m.base());
        mo.put("status", res == null ? "unknown" : res.status().name().toLowerCase(java.util.Locale.ROOT));
        mo.put("latency_ms", res == null ? null : res.latencyMillis());
        mo.put("last_check", res == null ? null : res.at().toString());
        Instant ok = lastOk.getOrDefault(hash, Map.of()).get(m.base());
        mo.put("last_success", ok == null ? null : ok.toString());
        mo.put("detail", res == null ? null : res.detail());
      }
    }
    ObjectNode totals = root.putObject("totals");
    totals.put("datasets", held.size());
    totals.put("uploaded", up);
    totals.put("downloaded", down);
    totals.put("upload_rate", session.uploadRate());
    totals.put("download_rate", session.downloadRate());
    return root;
  }

  /** Piece indexes as compact ranges, e.g. {@code 0-9,31,40-41} (empty when none). */
  static String ranges(BitSet b) {
    StringBuilder sb = new StringBuilder();
    for (int i = b.nextSetBit(0); i >= 0; ) {
      int end = b.nextClearBit(i) - 1;
      if (sb.length() > 0) sb.append(',');
      sb.append(i);
      if (end > i) sb.append('-').append(end);
      i = b.nextSetBit(end + 1);
    }
    return sb.toString();
  }

  /** A URL without user info and query (where tokens hide); a path as given. */
  static String redact(String location) {
    try {
      URI u = URI.create(location);
      if (u.getScheme() == null || u.getHost() == null) return location;
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
    } catch (Exception e) {
      return location.replaceAll("//[^/@]*@", "//").replaceAll("\\?.*", "");
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      main.submit(this::saveState).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("state not saved at close: {}", e.getMessage());
    }
    main.shutdownNow();
    probes.shutdownNow();
    try {
      main.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    session.stop();
  }
}
