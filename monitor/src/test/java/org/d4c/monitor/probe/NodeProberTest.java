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
