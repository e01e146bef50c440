package org.d4c.seeder.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SwarmMemoryTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void countsRiseAtOnceAndFallOnlyAfterTheWindow() {
    SwarmMemory m = new SwarmMemory(Duration.ofSeconds(30));
    assertArrayEquals(new int[] {2, 1, 0}, m.update(new int[] {2, 1, 0}, T0));
    // Every connection closed (a recheck): the counts are kept.
    assertArrayEquals(new int[] {2, 1, 0}, m.update(new int[] {0, 0, 0}, T0.plusSeconds(5)));
    // A new peer is counted at once.
    assertArrayEquals(new int[] {3, 2, 1}, m.update(new int[] {3, 2, 1}, T0.plusSeconds(10)));
    // Back to lower counts: still remembered 29 s after the higher ones were last seen...
    assertArrayEquals(new int[] {3, 2, 1}, m.update(new int[] {1, 1, 1}, T0.plusSeconds(39)));
    // ...forgotten at 30 s.
    assertArrayEquals(new int[] {1, 1, 1}, m.update(new int[] {1, 1, 1}, T0.plusSeconds(40)));
  }

  @Test
  void aPeerThatKeepsComingBackKeepsItsCountAndUnknownCountsChangeNothing() {
    SwarmMemory m = new SwarmMemory(Duration.ofSeconds(30));
    m.update(new int[] {2, 2}, T0);
    m.update(new int[] {1, 1}, T0.plusSeconds(25));
    m.update(new int[] {2, 2}, T0.plusSeconds(28)); // seen again: the window starts over
    assertArrayEquals(new int[] {2, 2}, m.update(new int[] {1, 1}, T0.plusSeconds(50)));
    assertArrayEquals(new int[] {2, 2}, m.update(null, T0.plusSeconds(100)));
    assertArrayEquals(new int[] {2, 2}, m.update(new int[0], T0.plusSeconds(100)));
    // Another piece count (should not happen for one torrent): start over from what is seen.
    assertArrayEquals(new int[] {1, 1, 1}, m.update(new int[] {1, 1, 1}, T0.plusSeconds(101)));
  }
}
