package org.d4c.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.d4c.core.progress.Progress;

/**
 * Progress on the console: a bar redrawn in place on a terminal, a plain line every few seconds otherwise (CI logs,
 * pipes), so logs stay readable.
 */
public final class ConsoleProgress implements Progress {
  private static final long LINE_EVERY_MS = 5_000;
  private final PrintStream out;
  private final boolean terminal;
  private String task;
  private long total;
  private long last;
  private long lastPrint;
  private final long startNanos = System.nanoTime();
  private long taskStart;
  private String detail = "";
  private int printed;

  ConsoleProgress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  public static ConsoleProgress stderr() {
    return new ConsoleProgress(System.err, System.console() != null && System.getenv("CI") == null);
  }

  @Override
  public synchronized void begin(String task, long total) {
    this.task = task;
    this.total = total;
    this.last = 0;
    this.lastPrint = 0;
    this.taskStart = System.nanoTime();
    this.detail = "";
    if (!terminal) {
      out.println("  " + task + (total >= 0 ? " (" + human(total) + ")" : "") + " ...");
    }
  }

  @Override
  public synchronized void update(long done) {
    last = done;
    long now = (System.nanoTime() - startNanos) / 1_000_000;
    if (terminal) {
      if (now - lastPrint >= 100) {
        String l = line(done);
        // Pads over what a longer earlier line left (a detail may shrink).
        out.print("\r" + l + " ".repeat(Math.max(0, printed - l.length())));
        out.flush();
        printed = l.length();
        lastPrint = now;
      }
    } else if (now - lastPrint >= LINE_EVERY_MS) {
      out.println("  " + line(done));
      lastPrint = now;
    }
  }

  @Override
  public synchronized void end() {
    double secs = (System.nanoTime() - taskStart) / 1e9;
    String done = String.format(Locale.ROOT, "  %s: %s done in %.1f s", task, human(last), secs);
    if (terminal) {
      out.print("\r" + " ".repeat(Math.max(78, printed)) + "\r");
      printed = 0;
    }
    out.println(done); // the detail is not repeated: the command's summary gives the final counts
  }

  @Override
  public synchronized void detail(String text) {
    detail = text == null ? "" : text;
  }

  private String line(long done) {
    String d = detail.isEmpty() ? "" : "  " + detail;
    if (terminal && d.length() > 90) d = "  …" + d.substring(d.length() - 88); // the latest steps, on one line
    return bar(done) + d;
  }

  private String bar(long done) {
    if (total <= 0) {
      return task + ": " + human(done);
    }
    int width = 30;
    double f = Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(f * width);
    return String.format(Locale.ROOT, "%-10s [%s%s] %3d%% %s/%s", task, "#".repeat(filled), ".".repeat(width - filled),
        Math.round(f * 100), human(done), human(total));
  }

  private String human(long n) {
    if (task != null && task.startsWith("fetch")) {
      return org.d4c.core.io.Sizes.format(n);
    }
    return String.format(Locale.ROOT, "%,d", n);
  }

}
