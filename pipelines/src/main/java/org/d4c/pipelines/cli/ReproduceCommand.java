package org.d4c.pipelines.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.d4c.pipelines.reproduce.ReproduceBuild;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reproduce", mixinStandardHelpOptions = true,
    description = {"Rebuilds a dataset version from its manifest alone and compares every output's bytes.",
        "%nSources are fetched by hash (cache first, then the URLs). Exits 0 only when every output is"
            + " bit-identical to what the manifest records; otherwise 5, listing each file that differs. Says plainly"
            + " when the code commit or the environment differs from the manifest's.%n"},
    footer = {"", "Examples:", "  ./d4c reproduce out/ca-provinces/manifest.json",
        "  ./d4c reproduce manifest.json --out /tmp/rebuilt --runner flink"})
final class ReproduceCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MANIFEST", description = "The manifest.json of the build to reproduce.")
  Path manifest;

  @Option(names = "--out", paramLabel = "DIR", description = "Keep the rebuild in DIR (default: a temporary folder).")
  Path out;

  @Mixin
  RunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    System.err.println("Reproducing " + manifest);
    ReproduceBuild.Report report = ReproduceBuild.run(manifest, out, D4c.home(), runner.toBeam(),
        runner.sourceCache(), ConsoleProgress.stderr());
    System.out.println(report.text());
    return report.reproduced() ? 0 : D4c.NOT_REPRODUCED;
  }
}
