package org.d4c.seeder.node;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.seeder.plan.Planner;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.TorrentStatus;

/**
 * The status document ({@code GET /status}), built by the loop after every tick from the node's parts; the result is
 * an immutable snapshot any thread may read.
 */
final class StatusSnapshot {
  /** What the last catalog sync gave. */
  record CatalogState(Instant lastSync, Instant lastSuccess, String error, Map<String, String> problems) {}

  private final Config config;
  private final String nodeId;
  private final TorrentSession session;
  private final DiskGuard disk;
  private final MirrorHealth health;

  StatusSnapshot(Config config, String nodeId, TorrentSession session, DiskGuard disk, MirrorHealth health) {
    this.config = config;
    this.nodeId = nodeId;
    this.session = session;
    this.disk = disk;
    this.health = health;
  }

  /** The DHT node id, read from the session now and then (it changes only with the node's external address). */
  private String dhtNodeId;

  void refreshDhtNodeId() {
    dhtNodeId = config.discovery().dht() ? session.dhtNodeId() : null;
  }

  ObjectNode build(Instant now, Collection<HeldTorrent> held, Planner.Plan plan, CatalogState catalog) {
    ObjectNode root = NodeState.JSON.createObjectNode();
    ObjectNode node = root.putObject("node");
    node.put("id", nodeId);
    node.put("software", "d4c-seeder");
    node.put("mode", config.mode().name().toLowerCase(Locale.ROOT));
    // The configured interface with the port actually bound (port 0 picks one).
    int port = session.boundPort();
    String iface = config.listen().toString().substring(0, config.listen().toString().lastIndexOf(':'));
    if (port > 0) node.put("listen", iface + ":" + port);
    else node.putNull("listen");
    node.put("time", now.toString());
    ObjectNode disc = node.putObject("discovery");
    Discovery dc = config.discovery();
    disc.put("dht", dc.dht());
    disc.put("dht_nodes", session.dhtNodes());
    disc.put("dht_node_id", dhtNodeId);
    disc.put("pex", dc.pex());
    disc.put("lsd", dc.lsd());
    disc.put("port_mapping", dc.portMapping());
    ArrayNode tr = disc.putArray("trackers");
    dc.trackers().forEach(tr::add);
    ObjectNode budget = root.putObject("budget");
    budget.put("bytes", config.budget());
    budget.put("used_bytes", disk.usedBytes());
    budget.put("planned_bytes", plan == null ? 0 : plan.plannedBytes());
    budget.put("pinned_bytes", plan == null ? 0 : plan.pinnedBytes());
    budget.put("free_bytes", disk.freeBytes());
    budget.put("reserve_bytes", config.reserveBytes());
    if (disk.stopped() == null) budget.putNull("downloads_stopped");
    else budget.put("downloads_stopped", disk.stopped());
    ObjectNode cat = root.putObject("catalog");
    cat.put("location", redact(config.catalog()));
    cat.put("last_sync", catalog.lastSync() == null ? null : catalog.lastSync().toString());
    cat.put("last_success", catalog.lastSuccess() == null ? null : catalog.lastSuccess().toString());
    if (catalog.error() == null) cat.putNull("error");
    else cat.put("error", catalog.error());
    ObjectNode pr = cat.putObject("problems");
    new TreeMap<>(catalog.problems()).forEach(pr::put);
    long up = 0;
    long down = 0;
    ArrayNode ds = root.putArray("datasets");
    List<HeldTorrent> order = new ArrayList<>(held);
    order.sort(Comparator.comparing(HeldTorrent::itemId));
    for (HeldTorrent h : order) {
      String hash = h.infoHash();
      TorrentInfo ti = h.dataset.info();
      TorrentStatus st = h.handle.status();
      ObjectNode d = ds.addObject();
      d.put("item_id", h.itemId());
      d.put("infohash", hash);
      d.put("name", ti.name());
      d.put("size", ti.totalSize());
      d.put("piece_length", ti.pieceLength());
      d.put("pieces_total", ti.numPieces());
      d.put("pieces_held", h.have.cardinality());
      d.put("pieces_planned", h.planned.cardinality());
      d.put("held", ranges(h.have));
      d.put("state", h.checking ? "checking" : st.state().name().toLowerCase(Locale.ROOT));
      Planner.Risk risk = plan == null ? null : plan.risk().get(hash);
      ObjectNode r = d.putObject("risk");
      r.put("score", risk == null ? 0 : Math.round(risk.score() * 1e4) / 1e4);
      r.put("min_copies", risk == null ? 0 : risk.minCopies());
      r.put("at_risk_pieces", risk == null ? 0 : risk.atRiskPieces());
      r.put("healthy_mirrors", health.healthy(hash));
      d.put("peers", st.numPeers());
      ArrayNode trackers = d.putArray("trackers");
      for (org.libtorrent4j.AnnounceEntry a : h.handle.trackers()) trackers.add(redact(a.url()));
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
        MirrorProber.Result res = health.last(hash, m.base());
        mo.put("status", res == null ? "unknown" : res.status().name().toLowerCase(Locale.ROOT));
        mo.put("latency_ms", res == null ? null : res.latencyMillis());
        mo.put("last_check", res == null ? null : res.at().toString());
        Instant ok = health.lastOk(hash, m.base());
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
}
