package org.d4c.seeder.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

/**
 * Planner cost: re-plans a catalog of N torrents x P pieces (random swarm counts 0-5, a third of the torrents with a
 * healthy mirror, 10% of pieces held, a budget of a tenth of it) and prints the median of several runs. Run by {@code bench/seed-throughput.sh}:
 * {@code java -cp ... org.d4c.seeder.plan.PlannerBench 1000 4000 7}.
 */
public final class PlannerBench {
  public static List<Planner.Torrent> catalog(int torrents, int pieces, long seed) {
    Random r = new Random(seed);
    List<Planner.Torrent> ts = new ArrayList<>(torrents);
    int pieceLength = 1 << 20;
    for (int k = 0; k < torrents; k++) {
      int[] swarm = new int[pieces];
      BitSet held = new BitSet(pieces);
      for (int i = 0; i < pieces; i++) {
        swarm[i] = r.nextInt(6);
        if (r.nextInt(10) == 0) held.set(i);
      }
      ts.add(new Planner.Torrent(String.format("%040x", k), pieceLength, (long) pieceLength * pieces, swarm, k % 3 == 0 ? 1 : 0,
          null, held, null));
    }
    return ts;
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int p = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    List<Planner.Torrent> ts = catalog(n, p, 42);
    long budget = (long) n * p * (1 << 20) / 10;
    long[] ms = new long[runs];
    long cold = System.nanoTime();
    Planner.plan(ts, budget, Planner.Mode.SMART); // the first plan of a fresh JVM (interpreted, then compiled): not in the median
    cold = (System.nanoTime() - cold) / 1_000_000;
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      Planner.plan(ts, budget, Planner.Mode.SMART);
      ms[i] = (System.nanoTime() - t0) / 1_000_000;
    }
    Arrays.sort(ms);
    System.out.println("planner " + n + " torrents x " + p + " pieces: median " + ms[runs / 2] + " ms (min " + ms[0] + ", max "
        + ms[runs - 1] + ", " + runs + " runs after one warm-up plan of " + cold + " ms)");
  }
}
