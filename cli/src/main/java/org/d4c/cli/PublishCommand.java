package org.d4c.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.publish.Mirrors;
import org.d4c.publisher.publish.Publish;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "publish", mixinStandardHelpOptions = true,
    description = {"Publishes a built dataset version to every mirror of a mirror file, then updates the catalog.",
        "%nThe build's files are checked against its manifest first; a build of uncommitted code is refused. Then:"
            + " the source bundle (the code at the build's commit, the environment, the recipe and the manifest) is"
            + " made; Zenodo, when listed, gets a deposit and gives the DOI; the torrent is made with every HTTP"
            + " mirror as a web seed; every file goes to every other mirror (S3-compatible stores, the Internet"
            + " Archive, local folders) and is checked back by its sha256. Files already on a mirror with the same"
            + " sha256 are not sent again, and an interrupted multipart upload resumes. Last, the catalog item gets"
            + " the mirror URLs (alternate assets), the DOI, the torrent and the bundle, and the catalog is copied to"
            + " the mirrors marked `catalog: true`.%n",
        "Credentials are read from the environment variables (or credentials file) the mirror file names, and"
            + " never printed or written anywhere.%n"},
    footer = {"", "Mirror file (YAML):",
        "  mirrors:",
        "    - id: r2",
        "      type: s3",
        "      endpoint: https://ACCOUNT.r2.cloudflarestorage.com",
        "      bucket: d4c",
        "      prefix: datasets/",
        "      public_url: https://data.example.org/datasets/",
        "      access_key_env: R2_ACCESS_KEY_ID",
        "      secret_key_env: R2_SECRET_ACCESS_KEY",
        "    - {id: zenodo, type: zenodo, url: https://zenodo.org, token_env: ZENODO_TOKEN}",
        "    - {id: ia, type: internet-archive, access_key_env: IA_ACCESS_KEY, secret_key_env: IA_SECRET_KEY}",
        "",
        "Examples:",
        "  ./d4c publish out/ca-provinces --mirrors mirrors.yaml --catalog out/catalog --dry-run",
        "  ./d4c publish out/ca-provinces --mirrors mirrors.yaml --catalog out/catalog",
        "  ./d4c publish out/ca-provinces --mirrors mirrors.yaml --only r2,ia",
        "",
        "Exit codes: 0 every mirror has every file, 1 a mirror failed (run again to resume), 2 bad build or mirror file."})
final class PublishCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "The build folder (made by `d4c build`).")
  Path dir;

  @Option(names = "--mirrors", required = true, paramLabel = "FILE", description = "The mirror file (YAML).")
  Path mirrors;

  @Option(names = "--catalog", paramLabel = "CAT", description = "The catalog folder to update (none: the catalog is left alone).")
  Path catalog;

  @Option(names = "--only", split = ",", paramLabel = "ID", description = "Publish to these mirrors only (ids from the file).")
  List<String> only;

  @Option(names = "--dry-run", description = "Print the plan; make and send nothing.")
  boolean dryRun;

  @Option(names = "--hybrid", description = "Make a hybrid v1+v2 torrent (BEP 52) instead of v1 (BEP 3); aria2 mishandles hybrids.")
  boolean hybrid;

  @Override
  public Integer call() {
    MirrorFile.Contents file = MirrorFile.loadContents(mirrors);
    List<MirrorFile.Config> all = file.mirrors();
    List<MirrorFile.Config> selected = MirrorFile.select(all, only, mirrors);
    Credentials credentials = Credentials.fromEnvironment();
    Path state = dir.toAbsolutePath().resolve(Publish.WORK_DIR).resolve("uploads");
    Publish publish = new Publish(c -> Mirrors.open(c, credentials, state), SourceBundles::make, System.out,
        ConsoleProgress.stderr());
    Publish.Result r = publish.run(new Publish.Options(dir, all, selected, catalog, dryRun, hybrid, false, file.trackers()));
    return r.ok() ? 0 : D4c.FAILED;
  }
}
