package org.d4c.pipelines.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.d4c.manifests.recipe.RecipeException;
import org.d4c.manifests.sources.SourceException;
import org.d4c.pipelines.build.RejectsExceededException;
import org.d4c.publisher.catalog.CatalogException;
import org.d4c.transforms.read.OgrException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code d4c} command line. Each subcommand is a small class in this package. */
@Command(name = "d4c", mixinStandardHelpOptions = true, versionProvider = D4c.Version.class,
    description = {"Builds open geospatial data reproducibly: recipe in, GeoParquet plus a manifest that locks every"
        + " input and output by its hash out.", ""},
    subcommands = {BuildCommand.class, LockCommand.class, ReproduceCommand.class, DemoCommand.class,
        CatalogCommand.class, PublishCommand.class, VerifyCommand.class, ServeCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Examples:", "  ./d4c demo", "  ./d4c lock pipelines/recipes/ca-provinces/recipe.yaml",
        "  ./d4c build pipelines/recipes/ca-provinces/recipe.yaml --out out/ca-provinces",
        "  ./d4c reproduce out/ca-provinces/manifest.json",
        "  ./d4c catalog add out/ca-provinces --catalog out/catalog",
        "  ./d4c publish out/ca-provinces --mirrors mirrors.yaml --catalog out/catalog",
        "  ./d4c verify out/ca-provinces --mirrors mirrors.yaml", "",
        "Exit codes: 0 ok, 1 failure, 2 bad command line, recipe, manifest or catalog, 3 source problem,",
        "4 too many rejects, 5 reproduce found different bytes, 6 verify found a file missing or different on a mirror."})
public final class D4c implements Callable<Integer> {
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;
  static final int SOURCE_PROBLEM = 3;
  static final int TOO_MANY_REJECTS = 4;
  static final int NOT_REPRODUCED = 5;
  static final int NOT_VERIFIED = 6;

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new D4c()).setUsageHelpWidth(100);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      System.err.println("d4c " + cmd.getCommandName() + ": " + message(e));
      if (Boolean.getBoolean("d4c.debug")) {
        e.printStackTrace();
      }
      return exitCode(e);
    });
    return cli.execute(args);
  }

  static int exitCode(Throwable e) {
    if (e instanceof RecipeException || e instanceof org.d4c.manifests.lock.ManifestException
        || e instanceof CatalogException || e instanceof org.d4c.publisher.mirror.MirrorException) {
      return BAD_INPUT;
    }
    if (e instanceof SourceException || e instanceof OgrException) {
      return SOURCE_PROBLEM;
    }
    if (e instanceof RejectsExceededException) {
      return TOO_MANY_REJECTS;
    }
    return FAILED;
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /** Where d4c is installed: the launcher sets it; the code version and the demo recipe are found from it. */
  static Path home() {
    String home = System.getProperty("d4c.home", System.getenv().getOrDefault("D4C_HOME", "."));
    return Path.of(home).toAbsolutePath().normalize();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"d4c " + org.d4c.pipelines.build.Versions.d4c()};
    }
  }


}
