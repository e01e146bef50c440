package org.d4c.transforms.progress;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters that the command line reads to draw progress while a pipeline runs in this JVM (Direct runner, Flink
 * mini-cluster). Beam metrics carry the same counts for remote runners; these never affect output.
 */
public final class LocalProgress {
  public static final AtomicLong FEATURES_READ = new AtomicLong();
  public static final AtomicLong FEATURES_WRITTEN = new AtomicLong();

  private LocalProgress() {}

  public static void reset() {
    FEATURES_READ.set(0);
    FEATURES_WRITTEN.set(0);
  }
}
