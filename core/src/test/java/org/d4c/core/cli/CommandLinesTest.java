package org.d4c.core.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;
import org.d4c.core.net.HostPort;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class CommandLinesTest {
  @Command(name = "probe")
  static final class Probe implements Callable<Integer> {
    @Option(names = "--listen") HostPort listen;
    @Option(names = "--every") Duration every;
    @Option(names = "--budget", converter = CommandLines.Size.class) long budget;
    @Option(names = "--fail") String fail;

    @Override
    public Integer call() {
      if ("source".equals(fail)) throw new D4cException(ExitCode.SOURCE_PROBLEM, "recipe.yaml: sources[0]: gone");
      if ("bug".equals(fail)) throw new IllegalStateException("boom");
      return 0;
    }
  }

  private static int run(StringWriter err, String... args) {
    CommandLine cli = CommandLines.configure(new CommandLine(new Probe()), "d4c");
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void badValuesExitTwoWithOneLineAndAHint() {
    for (String[] args : new String[][] {{"--listen", "8090"}, {"--every", "soon"}, {"--budget", "lots"}, {"--nope"}}) {
      StringWriter err = new StringWriter();
      assertThat(String.join(" ", args), run(err, args), equalTo(2));
      assertThat(err.toString(), containsString("Run 'probe --help'"));
      assertThat(err.toString(), not(containsString("\tat ")));
    }
  }

  @Test
  void errorsExitWithTheirOwnCodeAndNoStackTrace() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "--fail", "source"), equalTo(3));
    assertThat(err.toString(), equalTo("d4c probe: recipe.yaml: sources[0]: gone" + System.lineSeparator()));
    StringWriter err2 = new StringWriter();
    assertThat(run(err2, "--fail", "bug"), equalTo(1));
    assertThat(err2.toString(), not(containsString("\tat ")));
  }

  @Test
  void goodValuesAreConverted() {
    Probe p = new Probe();
    CommandLines.configure(new CommandLine(p), "d4c").parseArgs("--listen", "[::1]:80", "--every", "15m", "--budget", "2G");
    assertThat(p.listen, equalTo(new HostPort("::1", 80)));
    assertThat(p.every, equalTo(Duration.ofMinutes(15)));
    assertThat(p.budget, equalTo(2L << 30));
  }
}
