package org.d4c.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import org.d4c.core.D4cVersion;
import org.d4c.core.cli.CommandLines;
import org.d4c.core.error.ExitCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code d4c} command line. Each light subcommand is a small class in this package; build, reproduce and demo come
 * from the pipelines module through {@link MoreCommands} when it is on the class path.
 */
@Command(name = "d4c", mixinStandardHelpOptions = true, versionProvider = D4c.Version.class,
    description = {"Builds open geospatial data reproducibly: recipe in, GeoParquet plus a manifest that locks every"
        + " input and output by its hash out.", ""},
    footer = {"", "Examples:", "  ./d4c demo", "  ./d4c lock pipelines/recipes/ca-provinces/recipe.yaml",
        "  ./d4c build pipelines/recipes/ca-provinces/recipe.yaml --out out/ca-provinces",
        "  ./d4c reproduce out/ca-provinces/manifest.json",
        "  ./d4c catalog add out/ca-provinces --catalog out/catalog",
        "  ./d4c publish out/ca-provinces --mirrors mirrors.yaml --catalog out/catalog",
        "  ./d4c verify out/ca-provinces --mirrors mirrors.yaml",
        "  ./d4c get ca-provinces --catalog https://data.example.org/catalog/ --to data", "",
        "Exit codes: 0 ok, 1 failure, 2 bad command line, recipe, manifest or catalog, 3 source problem,",
        "4 too many rejects, 5 reproduce found different bytes, 6 verify (or get) found a file missing or different."})
public final class D4c implements Callable<Integer> {
  static final int FAILED = ExitCode.FAILED.code();
  static final int BAD_INPUT = ExitCode.BAD_INPUT.code();
  static final int NOT_VERIFIED = ExitCode.NOT_VERIFIED.code();
  /** The commands that need the build modules (Beam, GDAL); without them on the class path they say so. */
  private static final List<String> BUILD_COMMANDS = List.of("build", "reproduce", "demo");

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
    CommandLine cli = commandLine();
    if (args.length > 0 && BUILD_COMMANDS.contains(args[0]) && !cli.getSubcommands().containsKey(args[0])) {
      System.err.println("d4c " + args[0] + ": the build modules are not on the class path; run it through the ./d4c launcher");
      return BAD_INPUT;
    }
    return cli.execute(args);
  }

  /** The whole command line: the build commands found on the class path first, then the light ones, then help. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new D4c());
    for (MoreCommands more : ServiceLoader.load(MoreCommands.class)) more.commands().forEach(cli::addSubcommand);
    for (Object light : List.of(new LockCommand(), new CatalogCommand(), new PublishCommand(), new VerifyCommand(), new ServeCommand(), new GetCommand())) {
      cli.addSubcommand(light);
    }
    cli.addSubcommand(new CommandLine.HelpCommand());
    return CommandLines.configure(cli, "d4c");
  }

  /** Where d4c is installed: the launcher sets it; the code version and the demo recipe are found from it. */
  public static Path home() {
    String home = System.getProperty("d4c.home", System.getenv().getOrDefault("D4C_HOME", "."));
    return Path.of(home).toAbsolutePath().normalize();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"d4c " + D4cVersion.get()};
    }
  }


}
