package org.d4c.monitor.probe;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isIn;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeProberTest {
  @Test
  void heldRangesAreReadAsTheSeederWritesThem() {
    BitSet b = PeerProbe.held("0-2,5,7-8", 10);
    assertThat(b.toString(), is("{0, 1, 2, 5, 7, 8}"));
    assertThat(PeerProbe.held("", 10).isEmpty(), is(true));
  }

  @Test
  void heldRangesOutsideTheTorrentOrNotNumbersAreRefused() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> PeerProbe.held("3-10", 10)).getMessage(), containsString("outside 0-9"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> PeerProbe.held("a-b", 10)).getMessage(), containsString("a-b"));
    assertThrows(IllegalArgumentException.class, () -> PeerProbe.held("5-3", 10));
  }

  @Test
  void piecesAreDrawnAmongTheHeldOnesAndAreTheSameAtEverySite() {
    BitSet held = PeerProbe.held("10-19,40-49", 64);
    List<Integer> a = NodeProber.pick("seed-1", "item", held, 3);
    assertThat(a, hasSize(3));
    assertThat(a, everyItem(isIn(held.stream().boxed().toList())));
    assertThat(NodeProber.pick("seed-1", "item", held, 3), is(a));
    // Fewer held than asked: every held piece.
    assertThat(NodeProber.pick("seed-1", "item", PeerProbe.held("7", 64), 3), is(List.of(7)));
  }

  @Test
  void aNodeWhosePortDoesNotAnswerIsDownForEveryItemAfterOneTry() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    TorrentPieces torrent = new TorrentPieces("x", 16384, new byte[20 * 4], List.of(new TorrentPieces.TorrentFile("a.bin", 65536, 0)), 65536);
    List<Targets.ItemTarget> targets = new java.util.ArrayList<>();
    java.util.Map<String, TorrentPieces> torrents = new java.util.TreeMap<>();
    java.util.Map<String, String> hashes = new java.util.TreeMap<>();
    com.fasterxml.jackson.databind.node.ObjectNode status = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    status.putObject("node").put("listen", "127.0.0.1:" + port);
    for (String item : List.of("a-1.0.0", "b-1.0.0")) {
      targets.add(new Targets.ItemTarget(item, "c", List.of(new Targets.FileInfo("a.bin", 65536, null)), java.util.Map.of(), null, java.util.Map.of()));
      torrents.put(item, torrent);
      hashes.put(item, "ab".repeat(20));
      status.withArray("datasets").addObject().put("item_id", item).put("infohash", "ab".repeat(20)).put("held", "0-3");
    }
    NodeProber p = new NodeProber(Prober.Settings.defaults(), "here", java.time.Duration.ofSeconds(5));
    List<Prober.Result> rs = p.probe("n1", java.net.URI.create("http://127.0.0.1:1/status"), status, targets, torrents, hashes, "seed");
    assertThat(rs, hasSize(2));
    assertThat(rs.get(0).state(), is(org.d4c.catalog.status.State.DOWN));
    assertThat(rs.get(0).detail(), containsString("BitTorrent connection"));
    assertThat(rs.get(1).state(), is(org.d4c.catalog.status.State.DOWN));
    assertThat(rs.get(1).detail(), containsString("not tried"));
    // An item the node seeds under another info-hash is stale, not probed.
    hashes.put("b-1.0.0", "cd".repeat(20));
    rs = p.probe("n1", java.net.URI.create("http://127.0.0.1:1/status"), status, targets, torrents, hashes, "seed");
    assertThat(rs.get(1).state(), is(org.d4c.catalog.status.State.STALE));
  }

  @Test
  void theListenPortIsTakenFromHostPortOrBracketedV6() {
    assertThat(NodeProber.listenPort("127.0.0.1:6881"), is(6881));
    assertThat(NodeProber.listenPort("[::1]:51413"), is(51413));
    assertThat(NodeProber.listenPort("0.0.0.0"), is(-1));
    assertThat(NodeProber.listenPort("host:99999"), is(-1));
  }

  @Test
  void aProbeSitesPeerIdIsStableAndTwentyBytes() {
    assertThat(PeerProbe.peerId("ottawa").length, is(20));
    assertThat(java.util.Arrays.equals(PeerProbe.peerId("ottawa"), PeerProbe.peerId("ottawa")), is(true));
    assertThat(java.util.Arrays.equals(PeerProbe.peerId("ottawa"), PeerProbe.peerId("montreal")), is(false));
  }
}
