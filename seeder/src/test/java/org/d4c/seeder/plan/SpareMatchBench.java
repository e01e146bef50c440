package org.d4c.seeder.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Cost of one spare-room matching ({@link Planner#matchSpareRoom}) at the simulation's 50 TB scale: 168 torrents x
 * 6,930 pieces (1.16 M), 100 Smart Nodes, 8 % of the pieces on one node, ~14 % on three, the rest on two. Prints each
 * run's time and a digest of the result (equal digests: the same matching). {@code java -cp ...
 * org.d4c.seeder.plan.SpareMatchBench [runs]}.
 */
public final class SpareMatchBench {
  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int torrents = 168;
    int pieces = 6930;
    int nodes = 100;
    Random r = new Random(1);
    long[] keys = new long[nodes];
    for (int j = 0; j < nodes; j++) keys[j] = r.nextLong();
    boolean[] node = new boolean[nodes];
    Arrays.fill(node, true);
    List<Planner.Swarm> swarms = new ArrayList<>();
    for (int t = 0; t < torrents; t++) {
      BitSet[] held = new BitSet[nodes];
      for (int j = 0; j < nodes; j++) held[j] = new BitSet(pieces);
      for (int i = 0; i < pieces; i++) {
        int copies = r.nextInt(100) < 8 ? 1 : r.nextInt(100) < 15 ? 3 : 2;
        for (int c = 0; c < copies; c++) held[r.nextInt(nodes)].set(i);
      }
      swarms.add(new Planner.Swarm(String.format("%040x", t), 1 << 26, (long) pieces << 26, null, keys, held, node));
    }
    long[] ms = new long[runs];
    for (int k = 0; k < runs; k++) {
      long t0 = System.nanoTime();
      Map<Long, BitSet[]> m = Planner.matchSpareRoom(swarms);
      ms[k] = (System.nanoTime() - t0) / 1_000_000;
      long h = 0;
      for (Map.Entry<Long, BitSet[]> e : m.entrySet()) {
        h = h * 31 + e.getKey();
        for (BitSet b : e.getValue()) h = h * 31 + b.hashCode();
      }
      System.out.printf("run %d: %d ms, %d nodes matched, digest %x%n", k, ms[k], m.size(), h);
    }
    long[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf("median %d ms of %d runs (the first, in a fresh JVM, included)%n", sorted[runs / 2], runs);
  }
}
