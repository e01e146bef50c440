package org.d4c.pipelines.cli;
import org.d4c.core.error.ExitCode;
import org.d4c.cli.D4c;
import org.d4c.cli.ConsoleProgress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.d4c.manifests.bundle.BundleException;
import org.d4c.manifests.bundle.BundleReader;
import org.d4c.pipelines.reproduce.ReproduceBuild;
import org.d4c.pipelines.reproduce.ReproduceFromBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "reproduce", mixinStandardHelpOptions = true,
    description = {"Rebuilds a dataset version from its manifest alone and compares every output's bytes.",
        "%nSources are fetched by hash (cache first, then the URLs). Exits 0 only when every output is"
            + " bit-identical to what the manifest records; otherwise 5, listing each file that differs. Says plainly"
            + " when the code commit or the environment differs from the manifest's.",
        "%nGiven a source bundle (the MANIFEST argument may be the bundle itself, or --bundle beside a manifest),"
            + " the bundle's local sources go into the cache; when this checkout is not the manifest's commit (or"
            + " not clean), the bundle's code is unpacked into ~/.cache/d4c/bundles/COMMIT/ (checked against the"
            + " commit's tree), built by its own launcher and run to rebuild and compare. Extra Maven arguments for"
            + " that build come from $D4C_MAVEN_ARGS (e.g. \"-o -Dmaven.test.skip=true\").%n"},
    footer = {"", "Examples:", "  ./d4c reproduce out/ca-provinces/manifest.json",
        "  ./d4c reproduce manifest.json --out /tmp/rebuilt --runner flink",
        "  ./d4c reproduce ca-provinces-1.0.0-source.tar.gz",
        "  ./d4c reproduce manifest.json --bundle ca-provinces-1.0.0-source.tar.gz"})
final class ReproduceCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MANIFEST",
      description = "The manifest.json of the build to reproduce, or a source bundle (.tar.gz).")
  Path manifest;

  @Option(names = "--bundle", paramLabel = "BUNDLE",
      description = "The source bundle of the build (<dataset>-<version>-source.tar.gz).")
  Path bundle;

  @Option(names = "--out", paramLabel = "DIR", description = "Keep the rebuild in DIR (default: a temporary folder).")
  Path out;

  @Mixin
  RunnerOptions runner;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path bundleFile = bundle;
    Path manifestFile = manifest;
    if (bundleFile == null && isGzip(manifest)) {
      bundleFile = manifest;
      manifestFile = null;
    }
    if (bundleFile == null) {
      return here(manifestFile);
    }
    try {
      ReproduceFromBundle.Plan plan = ReproduceFromBundle.plan(manifestFile, bundleFile, D4c.home(),
          runner.sourceCache(), System.err);
      try {
        if (plan.here()) {
          System.err.println("This checkout is commit " + plan.info().commit() + ", the manifest's: rebuilding with it");
          return here(plan.manifest());
        }
        System.err.println("Reproducing " + plan.manifest() + " with the code of the bundle " + bundleFile
            + " (this checkout is not commit " + plan.info().commit() + ", or has uncommitted changes)");
        String bundles = System.getProperty("d4c.bundles.dir");
        return ReproduceFromBundle.runBundledCode(plan, bundles != null ? Path.of(bundles) : BundleReader.defaultRoot(),
            passThrough(), System.getProperty("d4c.maven.args", System.getenv(ReproduceFromBundle.MAVEN_ARGS_ENV)),
            System.out, System.err);
      } finally {
        if (plan.temporary() != null) {
          deleteQuietly(plan.temporary());
        }
      }
    } catch (BundleException e) {
      System.err.println("d4c reproduce: " + e.getMessage());
      return ExitCode.BAD_INPUT.code();
    }
  }

  private Integer here(Path manifestFile) throws Exception {
    System.err.println("Reproducing " + manifestFile);
    ReproduceBuild.Report report = ReproduceBuild.run(manifestFile, out, D4c.home(), runner.toBeam(),
        runner.sourceCache(), ConsoleProgress.stderr());
    System.out.println(report.text());
    return report.reproduced() ? 0 : ExitCode.NOT_REPRODUCED.code();
  }

  /** The command line as given, minus the manifest/bundle arguments: the bundle's launcher gets the rest. */
  private List<String> passThrough() {
    List<String> all = spec.commandLine().getParseResult().originalArgs(); // the whole command line
    List<String> original = all.subList(all.indexOf(spec.name()) + 1, all.size());
    List<String> args = new ArrayList<>();
    boolean positionalSeen = false;
    for (int i = 0; i < original.size(); i++) {
      String a = original.get(i);
      if (a.equals("--bundle")) {
        i++;
      } else if (a.startsWith("--bundle=")) {
        continue;
      } else if (!positionalSeen && !a.startsWith("-") && Path.of(a).equals(manifest)
          && (i == 0 || !takesValue(original.get(i - 1)))) {
        positionalSeen = true;
      } else {
        args.add(a);
      }
    }
    return args;
  }

  private boolean takesValue(String option) {
    var o = spec.findOption(option);
    return o != null && o.arity().max() > 0 && !option.contains("=");
  }

  private static boolean isGzip(Path file) {
    try (var in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(2);
      return magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
    } catch (java.io.IOException e) {
      return false; // Manifests.read names the file and the problem
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (java.io.IOException e) {
      // best effort: a temporary folder
    }
  }
}
