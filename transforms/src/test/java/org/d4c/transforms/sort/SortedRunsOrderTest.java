package org.d4c.transforms.sort;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The run order's fast path (first 8 key bytes as one unsigned long) orders exactly as byte-by-byte comparison. */
class SortedRunsOrderTest {
  private static int reference(byte[][] a, byte[][] b) {
    int c = Arrays.compareUnsigned(a[0], b[0]);
    return c != 0 ? c : Arrays.compareUnsigned(a[1], b[1]);
  }

  @Test
  void sameSignAsByteByByteComparison() {
    Random rnd = new Random(42);
    byte[][][] records = new byte[400][][];
    for (int i = 0; i < records.length; i++) {
      byte[] key = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(12) : 20];
      // few distinct bytes, many shared prefixes, and bytes >= 0x80 (negative as Java bytes)
      for (int k = 0; k < key.length; k++) key[k] = (byte) (rnd.nextInt(3) == 0 ? 0x80 + rnd.nextInt(2) : rnd.nextInt(2));
      byte[] value = new byte[rnd.nextInt(3)];
      rnd.nextBytes(value);
      records[i] = new byte[][] {key, value};
    }
    for (byte[][] a : records) {
      for (byte[][] b : records) {
        assertThat(Arrays.toString(a[0]) + " vs " + Arrays.toString(b[0]), Integer.signum(SortedRuns.ORDER.compare(a, b)),
            is(Integer.signum(reference(a, b))));
      }
    }
  }
}
