package org.d4c.transforms.progress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters that the command line reads to draw progress while a pipeline runs in this JVM (Direct runner, Flink
 * mini-cluster). Beam metrics carry the same counts for remote runners; these never affect output.
 */
public final class LocalProgress {
  public static final AtomicLong FEATURES_READ = new AtomicLong();
  public static final AtomicLong FEATURES_WRITTEN = new AtomicLong();
  /** Rows counted so far under a step counter's name ("OUTPUT step N (TYPE) in", "... out"). */
  private static final Map<String, AtomicLong> STEPS = new ConcurrentHashMap<>();

  private LocalProgress() {}

  public static void reset() {
    FEATURES_READ.set(0);
    FEATURES_WRITTEN.set(0);
    STEPS.clear();
  }

  /** The live count of one step counter. */
  public static AtomicLong step(String name) {
    return STEPS.computeIfAbsent(name, k -> new AtomicLong());
  }

  /**
   * The steps that have seen rows so far, in recipe order, as "OUTPUT step N (TYPE) IN→OUT" ("IN" alone until the
   * step has given rows, and for a step that passes every row on), joined by " · ".
   */
  public static String steps() {
    java.util.TreeMap<String, long[]> byStep = new java.util.TreeMap<>(LocalProgress::byNumber);
    for (Map.Entry<String, AtomicLong> e : STEPS.entrySet()) {
      String n = e.getKey();
      int in = n.endsWith(" in") ? 0 : n.endsWith(" out") ? 1 : -1;
      if (in < 0) continue;
      long[] c = byStep.computeIfAbsent(n.substring(0, n.lastIndexOf(' ')), k -> new long[] {0, -1});
      c[in] = e.getValue().get();
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, long[]> e : byStep.entrySet()) {
      if (sb.length() > 0) sb.append(" · ");
      sb.append(e.getKey()).append(' ').append(String.format(java.util.Locale.ROOT, "%,d", e.getValue()[0]));
      // No out counter yet: nothing came out so far, or the step only settles the written columns.
      if (e.getValue()[1] >= 0) sb.append('→').append(String.format(java.util.Locale.ROOT, "%,d", e.getValue()[1]));
    }
    return sb.toString();
  }

  /** "out step 10 (...)" after "out step 9 (...)": labels compared with their step numbers as numbers. */
  private static int byNumber(String a, String b) {
    java.util.regex.Matcher ma = STEP.matcher(a), mb = STEP.matcher(b);
    if (ma.find() && mb.find()) {
      int c = a.substring(0, ma.start()).compareTo(b.substring(0, mb.start()));
      if (c != 0) return c;
      c = Integer.compare(Integer.parseInt(ma.group(1)), Integer.parseInt(mb.group(1)));
      if (c != 0) return c;
    }
    return a.compareTo(b);
  }

  private static final java.util.regex.Pattern STEP = java.util.regex.Pattern.compile(" step (\\d+) ");
}
