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

  Progress NONE = new Progress() {
    @Override public void begin(String task, long total) {}
    @Override public void update(long done) {}
    @Override public void end() {}
  };
}
