package org.d4c.monitor.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * "When should I pull 200 GB from R2?": from the probe throughput per hour of week at a location and the Smart
 * Nodes' upload rate per hour of week (their load), the hours with the highest median throughput, ties broken by the
 * lowest load, with the time the download would take at that throughput.
 */
public final class BestWindow {
  private BestWindow() {}

  public record Window(int hourOfWeek, String label, double throughputBps, double estimatedSeconds, long probes, double load) {}

  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

  public static String label(int hourOfWeek) {
    return DAYS[hourOfWeek / 24] + " " + String.format("%02d:00-%02d:00 UTC", hourOfWeek % 24, (hourOfWeek % 24 + 1) % 24);
  }

  /**
   * @param hours rows of History.hourOfWeek for one location
   * @param load rows of History.trafficByHourOfWeek
   */
  public static List<Window> best(List<Map<String, Object>> hours, List<Map<String, Object>> load, long bytes, int top) {
    List<Window> out = new ArrayList<>();
    for (Map<String, Object> h : hours) {
      Object tp = h.get("throughput_p50");
      if (tp == null) continue;
      int how = ((Number) h.get("hour_of_week")).intValue();
      double l = 0;
      for (Map<String, Object> x : load) {
        if (((Number) x.get("hour_of_week")).intValue() == how && x.get("upload_rate") != null) l = ((Number) x.get("upload_rate")).doubleValue();
      }
      double t = ((Number) tp).doubleValue();
      out.add(new Window(how, label(how), t, t > 0 ? bytes / t : Double.POSITIVE_INFINITY, ((Number) h.get("probes")).longValue(), l));
    }
    out.sort(Comparator.comparingDouble((Window w) -> -w.throughputBps()).thenComparingDouble(Window::load).thenComparingInt(Window::hourOfWeek));
    return out.subList(0, Math.min(top, out.size()));
  }
}
