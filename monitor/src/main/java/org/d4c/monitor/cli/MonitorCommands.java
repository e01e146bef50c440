package org.d4c.monitor.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.d4c.cli.MoreCommands;

/** {@code monitor} and {@code report}, added to the {@code d4c} command line when this module is on the class path. */
public final class MonitorCommands implements MoreCommands {
  @Override
  public Map<String, Object> commands() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("monitor", new MonitorCommand());
    m.put("report", new ReportCommand());
    return m;
  }
}
