package org.d4c.seeder.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.d4c.seeder.plan.Planner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the data folder within its budget: measures real usage ({@code du}) and free space, says when new downloads
 * must stop (past the budget, or free space below the reserve; held pieces stay and are still seeded), and how many
 * bytes the seeder's own files take outside the plan's budget.
 */
final class DiskGuard {
  private static final Logger LOG = LoggerFactory.getLogger(DiskGuard.class);
  private final Config config;
  private long usedBytes;
  private long freeBytes;
  private String stopped; // why downloads are stopped, or null

  DiskGuard(Config config) {
    this.config = config;
  }

  void measure() {
    try {
      usedBytes = config.disk().usedBytes(config.data());
      freeBytes = config.disk().freeBytes(config.data());
    } catch (IOException e) {
      LOG.warn("cannot measure disk usage: {}", e.getMessage());
    }
  }

  /**
   * Checks the last measures against the budget and the reserve.
   *
   * @return true when downloads just stopped or just resumed (priorities must be applied again)
   */
  boolean check() {
    String why = null;
    if (freeBytes < config.reserveBytes()) {
      why = "disk almost full: " + freeBytes + " bytes free, reserve " + config.reserveBytes();
    } else if (usedBytes >= config.budget()) {
      why = "budget reached: " + usedBytes + " bytes on disk, budget " + config.budget();
    }
    if (Objects.equals(why, stopped)) return false;
    if (why != null) LOG.warn("new downloads stopped: {}", why);
    else LOG.info("new downloads resumed");
    boolean was = stopped != null;
    stopped = why;
    return was != (why != null);
  }

  /** Why new downloads are stopped, or null. */
  String stopped() {
    return stopped;
  }

  long usedBytes() {
    return usedBytes;
  }

  long freeBytes() {
    return freeBytes;
  }

  /**
   * Bytes on disk that are not pieces, kept out of the plan's budget: the state folder as measured, one block for
   * every folder the torrents need, and 16 KiB for the state file's temporary copy and the measuring delay.
   */
  long overhead(Collection<HeldTorrent> held) {
    long state;
    try {
      state = config.disk().usedBytes(config.data().resolve(NodeState.DIR));
    } catch (IOException e) {
      state = 1L << 20;
    }
    long folders = 2; // DATA and DATA/torrents
    for (HeldTorrent h : held) {
      Set<String> dirs = new TreeSet<>();
      org.libtorrent4j.FileStorage fs = h.dataset.info().files();
      for (int i = 0; i < fs.numFiles(); i++) {
        for (Path d = Path.of(fs.filePath(i)).getParent(); d != null; d = d.getParent()) dirs.add(d.toString());
      }
      folders += 1 + dirs.size();
    }
    return state + folders * Planner.BLOCK + (16L << 10);
  }
}
