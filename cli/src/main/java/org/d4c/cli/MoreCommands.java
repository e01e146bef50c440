package org.d4c.cli;

import java.util.Map;

/**
 * Subcommands that live in heavier modules (the build, reproduce and demo commands need Beam and GDAL). The launcher
 * puts those modules on the class path only for these commands, so {@code d4c catalog search} and {@code d4c publish}
 * start without Beam, Flink or Hadoop. Found with {@link java.util.ServiceLoader}.
 */
public interface MoreCommands {
  /** Command name to a picocli command object, in the order they should be listed. */
  Map<String, Object> commands();
}
