package org.d4c.core.progress;

/**
 * Progress of one long task, kept apart from how it is shown (a terminal bar, a periodic log line).
 * Modelled on JGit's ProgressMonitor; callers report bytes for downloads.
 */
public interface Progress {
  /** Starts a task; {@code total} is -1 when unknown. */
  void begin(String task, long total);

  /** How much of the task is done so far (absolute, not an increment); implementations throttle. */
  void update(long done);

  void end();

  /** A short live detail shown beside the bar (e.g. rows through each step so far); the last one given stays. */
  default void detail(String text) {}

  Progress NONE = new Progress() {
    @Override public void begin(String task, long total) {}
    @Override public void update(long done) {}
    @Override public void end() {}
  };
}
