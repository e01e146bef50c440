package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.Map;
import org.d4c.catalog.status.State;
import org.d4c.monitor.probe.RangePlan;
import org.d4c.monitor.quorum.Quorum;
import org.junit.jupiter.api.Test;

class QuorumTest {
  @Test
  void downOrCorruptOnlyWhenTheQuorumAgrees() {
    assertThat(Quorum.combine(Map.of("a", State.CORRUPT), 1), is(State.CORRUPT));
    assertThat(Quorum.combine(Map.of("a", State.CORRUPT, "b", State.VERIFIED), 2), is(State.REGIONAL));
    assertThat(Quorum.combine(Map.of("a", State.CORRUPT, "b", State.CORRUPT), 2), is(State.CORRUPT));
    assertThat(Quorum.combine(Map.of("a", State.DOWN, "b", State.CORRUPT), 2), is(State.DOWN));
    assertThat(Quorum.combine(Map.of("a", State.STALE, "b", State.STALE, "c", State.VERIFIED), 2), is(State.STALE));
    assertThat(Quorum.combine(Map.of("a", State.DOWN), 2), is(State.REGIONAL));
    assertThat(Quorum.combine(Map.of("a", State.SLOW, "b", State.SLOW, "c", State.VERIFIED), 2), is(State.SLOW));
    assertThat(Quorum.combine(Map.of(), 1), is(State.UNKNOWN));
  }

  @Test
  void everySiteDrawsTheSamePiecesFromTheSeed() {
    String seed = RangePlan.seed("ab".repeat(32), 7);
    assertThat(RangePlan.pick(seed, "roads-1.0.0", 1000, 3), is(RangePlan.pick(seed, "roads-1.0.0", 1000, 3)));
    assertThat(RangePlan.pick(seed, "roads-1.0.0", 1000, 3).size(), is(3));
    assertThat(RangePlan.pick(seed, "x", 2, 5).size(), is(2));
    assertThat(RangePlan.seed("ab".repeat(32), 8).equals(seed), is(false));
  }
}
