package org.d4c.monitor.probe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.d4c.core.hash.Hashing;

/**
 * Which pieces a round checks, drawn from the round's published seed: SHA-256(seed, item, counter) as the random
 * stream, so every probe site checks the same pieces of an item in the same round and anyone can recompute them.
 * The seed itself is SHA-256 of the catalog's sha256 and the round number.
 */
public final class RangePlan {
  private RangePlan() {}

  public static String seed(String catalogSha256, long round) {
    return Hashing.sha256((catalogSha256 + "\n" + round).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code k} distinct numbers in [0, n), sorted, drawn from (seed, item). */
  public static List<Integer> pick(String seed, String item, int n, int k) {
    TreeSet<Integer> out = new TreeSet<>();
    int want = Math.min(k, n);
    MessageDigest md = Hashing.newSha256();
    for (long counter = 0; out.size() < want; counter++) {
      md.reset();
      md.update(seed.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(item.getBytes(StandardCharsets.UTF_8));
      md.update(ByteBuffer.allocate(8).putLong(counter).array());
      long v = ByteBuffer.wrap(md.digest()).getLong() & Long.MAX_VALUE;
      out.add((int) (v % n));
    }
    return new ArrayList<>(out);
  }

  /** An offset in [0, max] drawn from (seed, item, file). */
  public static long offset(String seed, String item, String file, long max) {
    if (max <= 0) return 0;
    return pick(seed, item + "\n" + file, (int) Math.min(Integer.MAX_VALUE, max + 1), 1).get(0);
  }
}
