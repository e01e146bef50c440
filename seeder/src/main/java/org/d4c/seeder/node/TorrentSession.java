package org.d4c.seeder.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
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
import org.libtorrent4j.swig.bitfield;
import org.libtorrent4j.swig.peer_info;
import org.libtorrent4j.swig.peer_info_vector;
import org.libtorrent4j.swig.error_code;
import org.libtorrent4j.swig.settings_pack;
import org.libtorrent4j.swig.tcp_endpoint;
import org.libtorrent4j.swig.torrent_flags_t;
import org.libtorrent4j.swig.torrent_handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libtorrent session of a node: its settings, adding and removing datasets, piece priorities, and freeing pieces
 * (libtorrent cannot forget single pieces, see {@link #free}). Used from the loop thread only.
 *
 * <p>Files live in {@code DATA/torrents/<infohash>/<root folder>/...}, kept sparse by libtorrent.
 */
final class TorrentSession {
  private static final Logger LOG = LoggerFactory.getLogger(TorrentSession.class);
  static final String TORRENTS = "torrents";
  static final String SESSION_STATE = "session.dat";

  private final Config config;
  private final SessionManager session = new SessionManager(false);
  private final byte[] peerId;
  private final long holderKey;
  /** The DHT node id of the saved session state (null: none saved), kept across restarts by {@link #keepDhtNodeId}. */
  private String savedDhtId;
  private SessionParams savedParams;
  private int dhtRestores;
  private static final int MAX_DHT_RESTORES = 5;

  /** @param nodeId the node's id: its peer id (and so its rank among the holders of a piece) derives from it */
  TorrentSession(Config config, String nodeId) {
    this.config = config;
    this.peerId = peerId(nodeId);
    this.holderKey = Planner.holderKey(peerId);
  }

  /**
   * The 20-byte peer id every torrent of this node uses: {@code -DC0100-} and 12 hex digits of the node id. libtorrent
   * takes a 20-byte fingerprint as the whole peer id, so the other nodes see the same id on every connection and agree
   * on this node's rank among the holders of a piece ({@link Planner#score}).
   */
  static byte[] peerId(String nodeId) {
    String hex = nodeId.replace("-", "");
    hex = (hex + "000000000000").substring(0, 12);
    return ("-DC0100-" + hex).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** This node's key among the holders of a piece. */
  long holderKey() {
    return holderKey;
  }

  void start() {
    Discovery dc = config.discovery();
    SettingsPack sp = new SettingsPack();
    sp.listenInterfaces(config.listen().toString());
    sp.setEnableDht(dc.dht());
    sp.setString(settings_pack.string_types.dht_bootstrap_nodes.swigValue(), String.join(",", dc.dhtBootstrap()));
    sp.setInteger(settings_pack.int_types.dht_announce_interval.swigValue(), (int) Math.min(Integer.MAX_VALUE,
        dc.dhtAnnounceInterval().toSeconds()));
    sp.setEnableLsd(dc.lsd());
    sp.setBoolean(settings_pack.bool_types.enable_upnp.swigValue(), dc.portMapping());
    sp.setBoolean(settings_pack.bool_types.enable_natpmp.swigValue(), dc.portMapping());
    // A node serves many torrents at once: announce every one of them to the DHT and its trackers, not a few at a time.
    sp.setInteger(settings_pack.int_types.active_dht_limit.swigValue(), 100_000);
    sp.setInteger(settings_pack.int_types.active_tracker_limit.swigValue(), 100_000);
    sp.setBoolean(settings_pack.bool_types.announce_to_all_trackers.swigValue(), true);
    sp.setBoolean(settings_pack.bool_types.announce_to_all_tiers.swigValue(), true);
    // uTP runs over one UDP socket: with the kernel's default buffers (208 KiB) bursts are dropped and uTP's congestion
    // control backs off — 7 MB/s on loopback where TCP gave 19-35 MB/s on the same loaded machine, 21-47 MB/s with
    // 4 MiB buffers (bench/utp-buffers.py). The kernel caps them at net.core.{r,w}mem_max.
    sp.setInteger(settings_pack.int_types.send_socket_buffer_size.swigValue(), 4 << 20);
    sp.setInteger(settings_pack.int_types.recv_socket_buffer_size.swigValue(), 4 << 20);
    // Two partial holders are both "upload only" towards each other; keep them connected so their bitfields count.
    sp.setBoolean(settings_pack.bool_types.close_redundant_connections.swigValue(), false);
    sp.setBoolean(settings_pack.bool_types.allow_multiple_connections_per_ip.swigValue(), true);
    // libtorrent refuses web-seed redirects from a global to a local address itself (SSRF mitigation), and a tracker
    // on a local address must be an /announce URL without query tricks.
    sp.setBoolean(settings_pack.bool_types.ssrf_mitigation.swigValue(), true);
    sp.setString(settings_pack.string_types.user_agent.swigValue(), "d4c-seeder");
    sp.setString(settings_pack.string_types.peer_fingerprint.swigValue(), new String(peerId, java.nio.charset.StandardCharsets.US_ASCII));
    // Saved session state carries the DHT node id: the node keeps its place in the DHT across restarts.
    byte[] saved = readSessionState();
    SessionParams params = saved == null ? new SessionParams() : new SessionParams(saved);
    savedDhtId = saved == null ? null : nodeIdOf(saved);
    savedParams = saved == null ? null : new SessionParams(saved);
    params.setSettings(sp);
    // libtorrent's default disk I/O maps files into memory and guards those accesses with its own SIGSEGV/SIGBUS
    // handlers; with it this JVM died (exit 139, no hs_err file) once a second dataset was written. The pread/pwrite
    // back end has no such handlers; a punched hole then simply reads back as zeros and fails its hash.
    params.setPosixDiskIO();
    session.start(params);
  }

  private Path sessionStateFile() {
    return config.data().resolve(NodeState.DIR).resolve(SESSION_STATE);
  }

  private byte[] readSessionState() {
    Path f = sessionStateFile();
    if (!Files.isRegularFile(f)) return null;
    try {
      byte[] b = Files.readAllBytes(f);
      org.libtorrent4j.Entry.bdecode(b); // a damaged file is dropped, not handed to libtorrent
      return b;
    } catch (IOException | RuntimeException e) {
      LOG.warn("session state {} ignored: {}", f, e.getMessage());
      return null;
    }
  }

  /**
   * Keeps the saved DHT node id. libtorrent gives its DHT node the saved id only when it knows the node's external
   * address at that moment (BEP 42 ties ids to it); otherwise it picks a random one. Once the DHT has nodes (they tell
   * it its address), the DHT is restarted with the saved state, at most {@value #MAX_DHT_RESTORES} times.
   *
   * @return whether the session state may be saved now: the id is the saved one, or none was saved, or restoring it
   *     was given up on a node that is in the DHT (a node alone keeps its saved file)
   */
  boolean keepDhtNodeId() {
    if (!config.discovery().dht() || savedDhtId == null) return true;
    String now = dhtNodeId();
    if (savedDhtId.equals(now)) return true;
    if (now == null || !dhtKnowsNodes()) return false; // not in the DHT yet: nothing to restore against
    if (dhtRestores >= MAX_DHT_RESTORES) return true;
    dhtRestores++;
    LOG.info("DHT node id {} instead of the saved {}: restarting the DHT with the saved state ({} of {})", now, savedDhtId,
        dhtRestores, MAX_DHT_RESTORES);
    SettingsPack off = new SettingsPack();
    off.setEnableDht(false);
    session.applySettings(off);
    session.swig().set_dht_state(savedParams.swig().getDht_state());
    SettingsPack on = new SettingsPack();
    on.setEnableDht(true);
    session.applySettings(on);
    return false;
  }

  /** How often the DHT was restarted to put the saved node id back. */
  int dhtRestores() {
    return dhtRestores;
  }

  /** Writes the session state (the DHT node id and routing table) atomically, unless the saved id is being restored. */
  void saveSessionState() {
    if (!keepDhtNodeId()) return;
    byte[] b = session.saveState();
    if (b == null) return;
    try {
      NodeState.writeAtomically(sessionStateFile(), b);
    } catch (IOException e) {
      LOG.warn("cannot save the session state: {}", e.getMessage());
    }
  }

  /** The DHT node id (40 hex) as libtorrent would save it now, or null (no DHT). */
  String dhtNodeId() {
    byte[] b = session.saveState();
    return b == null ? null : nodeIdOf(b);
  }

  /** The DHT node id (40 hex) in saved session state, or null. */
  static String nodeIdOf(byte[] b) {
    try {
      var root = org.libtorrent4j.Entry.bdecode(b).swig();
      var dht = root.dict().get("dht state"); // ("dht" holds the DHT's settings)
      if (dht == null) return null;
      var id = dht.dict().get("node-id");
      if (id == null) return null;
      // libtorrent 2.0 keeps a list of (node id + interface address); 1.x a single id.
      var first = id.type() == org.libtorrent4j.swig.entry.data_type.list_t ? id.list().get(0) : id;
      byte[] raw = org.libtorrent4j.Vectors.byte_vector2bytes(first.string_bytes());
      return raw.length < 20 ? null : java.util.HexFormat.of().formatHex(raw, 0, 20);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Whether the DHT's routing table (as libtorrent would save it now) holds any node. */
  boolean dhtKnowsNodes() {
    byte[] b = session.saveState();
    if (b == null) return false;
    try {
      var dht = org.libtorrent4j.Entry.bdecode(b).swig().dict().get("dht state");
      if (dht == null) return false;
      for (String k : new String[] {"nodes", "nodes6"}) {
        var n = dht.dict().get(k);
        if (n != null && n.type() == org.libtorrent4j.swig.entry.data_type.list_t && n.list().size() > 0) return true;
        if (n != null && n.type() == org.libtorrent4j.swig.entry.data_type.string_t && n.string_bytes().size() > 0) return true;
      }
      return false;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** DHT nodes in the routing table. */
  long dhtNodes() {
    return config.discovery().dht() ? session.dhtNodes() : 0;
  }

  void stop() {
    session.stop();
  }

  /** The port libtorrent listens on (first endpoint), or -1 after 10 s without one. */
  int listenPort() {
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

  /** The port bound now, or -1. */
  int boundPort() {
    return session.swig().is_listening() ? session.swig().listen_port() : -1;
  }

  long uploadRate() {
    return session.uploadRate();
  }

  long downloadRate() {
    return session.downloadRate();
  }

  Path saveDir(String infoHash) {
    return config.data().resolve(TORRENTS).resolve(infoHash);
  }

  /**
   * Adds the dataset's torrent to the session.
   *
   * @param have pieces to take as held without hashing them (resume data), or null: libtorrent checks the files
   * @param priorities per piece (0 = ignore, 4 = fetch)
   */
  TorrentHandle add(CatalogSync.Dataset d, BitSet have, byte[] priorities) {
    add_torrent_params p = new add_torrent_params();
    p.set_ti(d.info().swig());
    Path save = saveDir(d.infoHash());
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
    if (!config.discovery().pex()) flags = flags.or_(org.libtorrent4j.TorrentFlags.DISABLE_PEX);
    p.setFlags(flags);
    error_code ec = new error_code();
    torrent_handle th = session.swig().add_torrent(p, ec);
    if (ec.failed()) throw new IllegalStateException("libtorrent refused " + d.itemId() + ": " + ec.message());
    TorrentHandle h = new TorrentHandle(th);
    for (String t : config.discovery().trackers()) h.addTracker(new org.libtorrent4j.AnnounceEntry(t));
    connectPeers(h);
    return h;
  }

  /** Takes the dataset out of the session and deletes its files. */
  void removeWithFiles(HeldTorrent h) {
    session.swig().remove_torrent(h.handle.swig(), org.libtorrent4j.swig.session_handle.delete_files);
  }

  /** Dials the configured peers ({@code --peer}). */
  void connectPeers(TorrentHandle h) {
    for (org.d4c.core.net.HostPort peer : config.extraPeers()) connect(h, peer);
  }

  private static void connect(TorrentHandle h, org.d4c.core.net.HostPort peer) {
    String ip;
    try {
      ip = java.net.InetAddress.getByName(peer.host()).getHostAddress(); // a name is resolved each time it is dialled
    } catch (java.net.UnknownHostException e) {
      LOG.warn("--peer {}: unknown host", peer);
      return;
    }
    error_code ec = new error_code();
    org.libtorrent4j.swig.address a = org.libtorrent4j.swig.address.from_string(ip, ec);
    if (ec.failed()) {
      LOG.warn("--peer {}: {}", peer, ec.message());
      return;
    }
    h.swig().connect_peer(new tcp_endpoint(a, peer.port()));
  }

  /** Reads held pieces, checking state and (through the swarm memory) the swarm's piece counts into {@code h}. */
  void read(HeldTorrent h, java.time.Instant now) {
    TorrentStatus st = h.handle.status(TorrentHandle.QUERY_PIECES);
    TorrentStatus.State state = st.state();
    h.checking = state == TorrentStatus.State.CHECKING_FILES || state == TorrentStatus.State.CHECKING_RESUME_DATA;
    PieceIndexBitfield pieces = st.pieces();
    BitSet have = new BitSet(pieces.size());
    for (int i = 0; i < pieces.size(); i++) if (pieces.getBit(i)) have.set(i);
    h.have = have;
    readPeers(h, now);
  }

  /**
   * The swarm's copies per piece and, for held pieces, how many of their other holders rank before this node
   * and how many Smart Nodes rank before it ({@link Planner#agreement}), from the connected peers' ids and bitfields (web seeds are the mirrors, counted apart; a peer
   * seen over two connections counts once). A complete torrent gets counts too, which libtorrent's piece availability
   * does not give.
   */
  private void readPeers(HeldTorrent h, java.time.Instant now) {
    int n = h.dataset.info().numPieces();
    peer_info_vector v = new peer_info_vector();
    h.handle.swig().get_peer_info(v);
    java.util.Map<Long, BitSet> peers = new java.util.TreeMap<>();
    java.util.Set<Long> nodes = new java.util.HashSet<>();
    int bt = peer_info.standard_bittorrent.to_int();
    for (int j = 0; j < v.size(); j++) {
      peer_info p = v.get(j);
      if (p.getConnection_type().to_int() != bt) continue;
      byte[] pid = org.libtorrent4j.Vectors.byte_vector2bytes(p.getPid().to_bytes());
      long key = Planner.holderKey(pid);
      if (key == holderKey) continue; // a connection to itself
      if (isNode(pid)) nodes.add(key);
      BitSet bs = peers.computeIfAbsent(key, k -> new BitSet(n));
      if (p.getFlags().and_(peer_info.seed).non_zero()) { // a seed's bitfield may be left empty (BEP 6 have-all)
        bs.set(0, n);
        continue;
      }
      bitfield b = p.get_pieces();
      for (int i = 0, m = Math.min(n, b.size()); i < m; i++) if (b.get_bit(i)) bs.set(i);
    }
    int[] counts = new int[n];
    for (BitSet bs : peers.values()) for (int i = bs.nextSetBit(0); i >= 0; i = bs.nextSetBit(i + 1)) counts[i]++;
    // libtorrent's own count where it has one (it may know peers the bitfields above missed).
    int[] avail = h.handle.pieceAvailability();
    if (avail != null && avail.length == n) for (int i = 0; i < n; i++) counts[i] = Math.max(counts[i], avail[i]);
    long[] keys = new long[peers.size()];
    BitSet[] pieces = new BitSet[peers.size()];
    boolean[] node = new boolean[peers.size()];
    int j = 0;
    for (java.util.Map.Entry<Long, BitSet> e : peers.entrySet()) {
      keys[j] = e.getKey();
      node[j] = nodes.contains(e.getKey());
      pieces[j++] = e.getValue();
    }
    h.peerKeys = keys;
    h.peerPieces = pieces;
    h.peerNode = node;
    h.swarm = h.memory.update(counts, now);
    Planner.Agreement a = Planner.agreement(holderKey, h.infoHash(), n, keys, pieces, node);
    h.ahead = h.aheadMemory.update(a.ahead(), now);
    h.before = h.beforeMemory.update(a.before(), now);
  }

  /** Whether a peer id is a Smart Node's ({@link #peerId}). */
  static boolean isNode(byte[] pid) {
    return pid.length == 20 && pid[0] == '-' && pid[1] == 'D' && pid[2] == 'C' && pid[7] == '-';
  }

  /**
   * Frees held pieces the plan no longer wants. libtorrent cannot forget single pieces, so the torrent is taken out of
   * the session, holes are punched where the pieces were, and it is added back with the pieces it keeps given as
   * resume data: no rehash, and a freed piece cannot come back as held. (Forcing a recheck instead raced with the
   * next plan and let freed pieces be counted as held again.) Connections to this torrent's peers are lost either way.
   *
   * @param onlyHeld downloads are stopped: the torrent comes back fetching nothing new
   */
  void free(HeldTorrent h, BitSet drop, boolean onlyHeld) {
    TorrentInfo ti = h.dataset.info();
    Path save = saveDir(h.infoHash());
    BitSet keep = (BitSet) h.have.clone();
    keep.andNot(drop);
    session.swig().remove_torrent(h.handle.swig());
    try {
      // Every piece not kept, not only the dropped ones: a piece libtorrent finished writing after the node last read
      // what it holds is on disk but in neither set, and the torrent comes back without it, so it would stay there,
      // uncounted, over the budget. Runs of pieces are punched a file range at a time.
      int n = ti.numPieces();
      for (int a = keep.nextClearBit(0); a < n; ) {
        int b = Math.min(keep.nextSetBit(a) < 0 ? n : keep.nextSetBit(a), n);
        for (int from = a; from < b; ) {
          int to = (int) Math.min(b, from + Math.max(1L, (1L << 30) / ti.pieceLength())); // mapBlock takes an int size
          long size = (long) (to - from - 1) * ti.pieceLength() + ti.pieceSize(to - 1);
          for (FileSlice s : ti.mapBlock(from, 0, (int) size)) {
            Path f = save.resolve(ti.files().filePath(s.fileIndex()));
            if (Files.isRegularFile(f)) HolePunch.punch(f, s.offset(), s.size());
          }
          from = to;
        }
        a = b >= n ? n : keep.nextClearBit(b);
      }
      LOG.info("freed {} pieces of {} for rarer ones", drop.cardinality(), h.itemId());
    } catch (IOException e) {
      LOG.warn("cannot free pieces of {}: {}; checking its files again", h.itemId(), e.getMessage());
      keep = null;
    }
    h.handle = add(h.dataset, keep, priorities(h, onlyHeld));
    h.have = keep == null ? new BitSet() : keep;
    h.checking = true;
  }

  void applyPriorities(HeldTorrent h, boolean onlyHeld) {
    byte[] p = priorities(h, onlyHeld);
    Priority[] pr = new Priority[p.length];
    for (int i = 0; i < p.length; i++) pr[i] = p[i] == 0 ? Priority.IGNORE : Priority.DEFAULT;
    h.handle.prioritizePieces(pr);
  }

  /** 4 (fetch) for planned pieces, 0 (ignore) for the others; with {@code onlyHeld}, nothing new is fetched. */
  static byte[] priorities(HeldTorrent h, boolean onlyHeld) {
    byte[] p = new byte[h.dataset.info().numPieces()];
    for (int i = 0; i < p.length; i++) {
      boolean want = h.planned.get(i) && (!onlyHeld || h.have.get(i));
      p[i] = (byte) (want ? Priority.DEFAULT.swig() : Priority.IGNORE.swig());
    }
    return p;
  }
}
