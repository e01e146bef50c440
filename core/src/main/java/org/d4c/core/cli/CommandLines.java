package org.d4c.core.cli;

import java.io.PrintWriter;
import java.time.Duration;
import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;
import org.d4c.core.io.Durations;
import org.d4c.core.io.Sizes;
import org.d4c.core.net.HostPort;
import picocli.CommandLine;

/**
 * How every d4c command line behaves, in one place: a bad option exits 2 with one line and the usage hint, an error
 * exits with the code its {@link D4cException} carries (1 for anything else) and one line without a stack trace
 * ({@code -Dd4c.debug=true} prints it), and HOST:PORT and durations are parsed by the same converters everywhere.
 */
public final class CommandLines {
  private CommandLines() {}

  /** Applies the shared behaviour to {@code cli}; {@code program} prefixes messages ({@code d4c}, {@code d4c-seeder}). */
  public static CommandLine configure(CommandLine cli, String program) {
    cli.setUsageHelpWidth(100).setCaseInsensitiveEnumValuesAllowed(true);
    cli.registerConverter(HostPort.class, HostPort::parse);
    cli.registerConverter(Duration.class, Durations::parse);
    cli.setParameterExceptionHandler((ex, args) -> {
      CommandLine cmd = ex.getCommandLine();
      PrintWriter err = cmd.getErr();
      err.println(program + " " + cmd.getCommandName() + ": " + ex.getMessage());
      err.println("Run '" + qualifiedName(cmd) + " --help' for the options and examples.");
      return ExitCode.BAD_INPUT.code();
    });
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println(program + " " + cmd.getCommandName() + ": " + D4cException.messageOf(e));
      if (Boolean.getBoolean("d4c.debug")) e.printStackTrace(cmd.getErr());
      return D4cException.exitCodeOf(e).code();
    });
    return cli;
  }

  private static String qualifiedName(CommandLine cmd) {
    StringBuilder b = new StringBuilder(cmd.getCommandName());
    for (CommandLine p = cmd.getParent(); p != null; p = p.getParent()) b.insert(0, p.getCommandName() + " ");
    return b.toString();
  }

  /** For {@code @Option(converter = CommandLines.Size.class) long x}: 500M, 10GiB, 2T, 1048576. */
  public static final class Size implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return Sizes.parse(value);
    }
  }
}
