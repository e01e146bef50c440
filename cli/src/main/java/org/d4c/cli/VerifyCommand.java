package org.d4c.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.mirror.MirrorException;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.publish.Mirrors;
import org.d4c.publisher.publish.Publish;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Reads a published version back from every mirror and compares each file with the build.",
        "%nEvery file of the release (the outputs, manifest.json, the source bundle and the torrent left by `d4c"
            + " publish` in DIR/.d4c-publish) is downloaded from each mirror and its sha256 compared. A mirror that"
            + " ingests asynchronously (the Internet Archive) may report files as pending.%n"},
    footer = {"", "Examples:", "  ./d4c verify out/ca-provinces --mirrors mirrors.yaml",
        "  ./d4c verify out/ca-provinces --mirrors mirrors.yaml --only r2", "",
        "Exit codes: 0 every file verified (or pending), 6 a file is missing or differs on a mirror, 2 bad build or mirror file."})
final class VerifyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "The build folder that was published.")
  Path dir;

  @Option(names = "--mirrors", required = true, paramLabel = "FILE", description = "The mirror file (YAML).")
  Path mirrors;

  @Option(names = "--only", split = ",", paramLabel = "ID", description = "Verify these mirrors only.")
  List<String> only;

  @Override
  public Integer call() {
    List<MirrorFile.Config> selected = MirrorFile.select(MirrorFile.load(mirrors), only, mirrors);
    Release release = Publish.release(dir);
    Credentials credentials = Credentials.fromEnvironment();
    Path state = dir.toAbsolutePath().resolve(Publish.WORK_DIR).resolve("uploads");
    List<String> bad = new ArrayList<>();
    for (MirrorFile.Config c : selected) {
      System.out.println("Mirror " + c.id() + " (" + c.type() + "): " + release.files().size() + " files");
      try (Mirror m = Mirrors.open(c, credentials, state)) {
        if (m instanceof org.d4c.publisher.zenodo.ZenodoMirror z) {
          String[] dois = Publish.recordedDois(dir);
          z.recorded(dois[0], dois[1]);
        }
        Mirror.Report r = m.verify(release, ConsoleProgress.stderr());
        System.out.print(r.text().lines().map(l -> "  " + l + "\n").reduce("", String::concat));
        for (Mirror.FileResult f : r.files()) {
          if (f.outcome().bad()) bad.add(c.id() + ": " + f.name() + " " + f.outcome() + " (" + f.detail() + ")");
        }
      } catch (MirrorException e) {
        bad.add(c.id() + ": " + e.getMessage());
      }
    }
    if (bad.isEmpty()) {
      System.out.println("Every file on every mirror matches the build (" + release.files().size() + " files x "
          + selected.size() + " mirrors).");
      return 0;
    }
    System.err.println("d4c verify: " + bad.size() + " problem" + (bad.size() == 1 ? "" : "s") + ":");
    bad.forEach(b -> System.err.println("  " + b));
    System.err.println("Publish again to repair: ./d4c publish " + dir + " --mirrors " + mirrors);
    return D4c.NOT_VERIFIED;
  }
}
