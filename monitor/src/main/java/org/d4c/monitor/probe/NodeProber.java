package org.d4c.monitor.probe;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.d4c.catalog.status.State;
import org.d4c.core.hash.Hashing;
import org.d4c.monitor.probe.Targets.ItemTarget;

/**
 * Byte probes of a Smart Node. A node holds only some pieces of each dataset, so the node's status document says which
 * (its {@code held} ranges per info-hash); the round's seed draws pieces among those, and {@link PeerProbe} fetches
 * them over BitTorrent from the node's listen port at the host of its status URL (the operator's address, never one
 * a remote document names). An item the node lists under another info-hash is stale; an item it does not list is not
 * served by it and gets no result.
 */
public final class NodeProber {
  private final Prober.Settings settings;
  private final byte[] peerId;
  private final Duration timeout;

  public NodeProber(Prober.Settings settings, String site, Duration timeout) {
    this.settings = settings;
    this.peerId = PeerProbe.peerId(site);
    this.timeout = timeout;
  }

  /**
   * @param node the node's location id
   * @param statusUrl its status URL (where its BitTorrent port is dialled)
   * @param status its status document, read this round
   * @param infoHashes item id -> the catalog torrent's info-hash (hex)
   */
  public List<Prober.Result> probe(String node, URI statusUrl, JsonNode status, List<ItemTarget> targets,
      Map<String, TorrentPieces> torrents, Map<String, String> infoHashes, String seed) {
    List<Prober.Result> out = new ArrayList<>();
    int port = listenPort(status.path("node").path("listen").asText(""));
    Map<String, JsonNode> byItem = new HashMap<>();
    for (JsonNode d : status.path("datasets")) byItem.put(d.path("item_id").asText(), d);
    Prober.Budget budget = new Prober.Budget(settings.bytesPerLocation(), settings.requestsPerLocation());
    String unreachable = null; // once the port does not answer, the node's other items are not tried this round
    for (ItemTarget t : targets) {
      JsonNode d = byItem.get(t.item());
      TorrentPieces torrent = torrents.get(t.item());
      String hash = infoHashes.get(t.item());
      if (d == null || torrent == null || hash == null) continue;
      if (!hash.equalsIgnoreCase(d.path("infohash").asText())) {
        out.add(new Prober.Result(node, t.item(), State.STALE, null, null, 0, 0,
            "the node seeds another torrent for this item (" + d.path("infohash").asText() + ")"));
        continue;
      }
      BitSet held;
      try {
        held = PeerProbe.held(d.path("held").asText(""), torrent.pieces());
      } catch (IllegalArgumentException e) {
        out.add(new Prober.Result(node, t.item(), State.DOWN, null, null, 0, 0, "its status is not readable: " + e.getMessage()));
        continue;
      }
      if (held.isEmpty()) continue; // holds nothing of it (yet): not a location of this item
      List<Integer> pieces = pick(seed, t.item(), held, settings.piecesPerItem());
      long need = pieces.stream().mapToLong(torrent::pieceSize).sum();
      int reqs = pieces.stream().mapToInt(p -> (int) ((torrent.pieceSize(p) + 16383) / 16384)).sum();
      if (!budget.take(need, reqs)) {
        out.add(new Prober.Result(node, t.item(), null, null, null, 0, 0, "skipped: the location's per-round budget is spent"));
        continue;
      }
      if (port <= 0) {
        out.add(new Prober.Result(node, t.item(), State.DOWN, null, null, 0, 0, "its status names no BitTorrent listen port"));
        continue;
      }
      if (unreachable != null) {
        out.add(new Prober.Result(node, t.item(), State.DOWN, null, null, 0, 0, "not tried: " + unreachable));
        continue;
      }
      PeerProbe.Outcome o = PeerProbe.fetch(new InetSocketAddress(statusUrl.getHost(), port), java.util.HexFormat.of().parseHex(hash), peerId, torrent, pieces, timeout);
      if (o.state() == State.DOWN && o.latencyMs() == null) unreachable = "its BitTorrent port did not answer (" + o.detail() + ")";
      State s = o.state();
      if (s == State.VERIFIED && (o.latencyMs() != null && o.latencyMs() > settings.slowLatency().toMillis()
          || o.bytes() >= 16384 && o.throughputBps() != null && o.throughputBps() < settings.slowBytesPerSecond())) {
        s = State.SLOW;
      }
      out.add(new Prober.Result(node, t.item(), s, o.latencyMs(), o.throughputBps(), o.bytes(), o.requests(),
          s == State.SLOW && o.state() == State.VERIFIED ? o.detail() + "; slow" : o.detail()));
    }
    return out;
  }

  /** {@code k} of the held pieces, drawn from (seed, item) as {@link RangePlan#pick} draws: the same at every probe site. */
  static List<Integer> pick(String seed, String item, BitSet held, int k) {
    int[] all = held.stream().toArray();
    List<Integer> out = new ArrayList<>();
    for (int i : RangePlan.pick(seed, item, all.length, k)) out.add(all[i]);
    return out;
  }

  /** The port of a status document's {@code node.listen} ("HOST:PORT" or "[V6]:PORT"), or -1. */
  static int listenPort(String listen) {
    int c = listen.lastIndexOf(':');
    if (c < 0) return -1;
    try {
      int p = Integer.parseInt(listen.substring(c + 1));
      return p > 0 && p < 65536 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
