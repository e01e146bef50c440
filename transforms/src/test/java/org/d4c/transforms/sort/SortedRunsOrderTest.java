package org.d4c.transforms.sort;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run order's fast path (first 8 key bytes as one unsigned long) orders exactly as byte-by-byte comparison, and
 * runs written and merged give back every record, byte for byte, in that order.
 */
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

  @Test
  void runsWrittenAndMergedGiveBackEveryRecordInOrder(@TempDir Path dir) throws Exception {
    Random rnd = new Random(7);
    List<byte[][]> all = new ArrayList<>();
    List<String> runs = new ArrayList<>();
    for (int run = 0; run < 3; run++) {
      List<byte[][]> records = new ArrayList<>();
      // values up to 2.5 MiB cross the writer's 1 MiB blocks
      for (int i = 0; i < 20_000; i++) {
        byte[] key = new byte[20];
        key[rnd.nextInt(20)] = (byte) rnd.nextInt(256); // many equal keys: the values decide
        int size = i % 5_000 == 0 ? (1 << 20) * 2 + rnd.nextInt(1 << 19) : rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(40);
        byte[] value = new byte[size];
        rnd.nextBytes(value);
        records.add(new byte[][] {key, value});
      }
      all.addAll(records);
      runs.add(SortedRuns.writeRun(dir, records));
    }
    all.sort(SortedRunsOrderTest::reference);
    Iterator<byte[][]> merged = SortedRuns.merge(runs);
    for (byte[][] expected : all) {
      byte[][] got = merged.next();
      assertThat(Arrays.equals(got[0], expected[0]) && Arrays.equals(got[1], expected[1]), is(true));
    }
    assertThat(merged.hasNext(), is(false));
  }

  @Test
  void theRunSortGivesTheComparatorsOrder() {
    Random rnd = new Random(3);
    for (int round = 0; round < 200; round++) {
      int n = round < 10 ? round : rnd.nextInt(5000);
      boolean shortKey = round % 7 == 0;
      List<byte[][]> records = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] key = new byte[shortKey && i == n / 2 ? 5 : 8 + rnd.nextInt(13)];
        // few distinct bytes: many keys share their first 8 bytes or differ only in the low bits the sort shifts out
        for (int k = 0; k < key.length; k++) key[k] = (byte) (rnd.nextInt(3) == 0 ? 0x80 + rnd.nextInt(2) : rnd.nextInt(2));
        if (key.length >= 8 && rnd.nextBoolean()) key[7] = (byte) rnd.nextInt(256);
        byte[] value = new byte[rnd.nextInt(3)];
        rnd.nextBytes(value);
        records.add(new byte[][] {key, value});
      }
      List<byte[][]> expected = new ArrayList<>(records);
      expected.sort(SortedRunsOrderTest::reference);
      SortedRuns.sort(records);
      for (int i = 0; i < n; i++) {
        assertThat("round " + round + ", record " + i, reference(records.get(i), expected.get(i)), is(0));
      }
    }
  }
}
