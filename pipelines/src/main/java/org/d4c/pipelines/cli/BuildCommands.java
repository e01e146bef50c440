package org.d4c.pipelines.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.d4c.cli.MoreCommands;

/** The commands that need Beam and GDAL, added to the {@code d4c} command line when this module is on the class path. */
public final class BuildCommands implements MoreCommands {
  @Override
  public Map<String, Object> commands() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("build", new BuildCommand());
    m.put("reproduce", new ReproduceCommand());
    m.put("demo", new DemoCommand());
    return m;
  }
}
