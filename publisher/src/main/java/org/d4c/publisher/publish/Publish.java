package org.d4c.publisher.publish;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.lock.OutputCheck;
import org.d4c.core.progress.Progress;
import org.d4c.catalog.Catalog;
import org.d4c.catalog.ItemFactory;
import org.d4c.catalog.Publication;
import org.d4c.publisher.mirror.MediaTypes;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.mirror.MirrorException;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.mirror.ReleaseFile;
import org.d4c.publisher.torrent.Magnet;
import org.d4c.publisher.torrent.TorrentMaker;

/**
 * {@code d4c publish}: one built version to every mirror of a mirror file, then the catalog.
 *
 * <ol>
 *   <li>Check the build against its manifest; refuse a build of uncommitted code.</li>
 *   <li>Make the source bundle ({@code <dataset>-<version>-source.tar.gz}) in the work folder.</li>
 *   <li>Deposit on the DOI mirrors (Zenodo) first: the DOI goes into the torrent's comment.</li>
 *   <li>Make the torrent: every output, the manifest and the bundle; every HTTP mirror of the file is a web seed
 *       (all of them, whatever {@code --only} says, so the torrent does not depend on the run); the file's
 *       {@code trackers:} are its announce list.</li>
 *   <li>Upload the release (outputs, manifest, bundle, torrent) to the other mirrors; each checks every file back.</li>
 *   <li>Put the item in the catalog with its mirror hrefs, DOI and torrent (the magnet with {@code tr}, {@code ws} and
 *       {@code xs}, see {@link Magnet}); publish the catalog to the mirrors that take it.</li>
 * </ol>
 * A mirror that fails does not stop the others; the run then ends with an error naming it, and running it again
 * uploads only what is missing.
 */
public final class Publish {
  /** Where the bundle, the torrent and the upload state are kept, inside the build folder. */
  public static final String WORK_DIR = ".d4c-publish";

  /** Makes the source bundle of a build into {@code outDir}; returns the file. */
  public interface BundleMaker {
    Path make(Path buildDir, Path outDir);
  }

  /**
   * @param all every mirror of the file (the torrent's web seeds come from all of them)
   * @param mirrors the mirrors to publish to this time ({@code --only})
   */
  public record Options(Path buildDir, List<MirrorFile.Config> all, List<MirrorFile.Config> mirrors, Path catalogDir,
      boolean dryRun, boolean hybrid, boolean allowDirty, List<String> trackers) {
    public Options {
      trackers = trackers == null ? List.of() : List.copyOf(trackers);
    }

    /** Without trackers. */
    public Options(Path buildDir, List<MirrorFile.Config> all, List<MirrorFile.Config> mirrors, Path catalogDir,
        boolean dryRun, boolean hybrid, boolean allowDirty) {
      this(buildDir, all, mirrors, catalogDir, dryRun, hybrid, allowDirty, List.of());
    }
  }

  /** What a run did. */
  public record Result(Release release, List<Mirror.Report> reports, TorrentMaker.Result torrent, String doi,
      ObjectNode item, List<String> failures) {
    public boolean ok() {
      return failures.isEmpty() && reports.stream().allMatch(Mirror.Report::ok);
    }
  }

  private final Function<MirrorFile.Config, Mirror> open;
  private final BundleMaker bundles;
  private final PrintStream out;
  private final Progress progress;

  public Publish(Function<MirrorFile.Config, Mirror> open, BundleMaker bundles, PrintStream out, Progress progress) {
    this.open = open;
    this.bundles = bundles;
    this.out = out;
    this.progress = progress;
  }

  /** The build's manifest, after checking every output against it. */
  public static Manifest checkedManifest(Path buildDir) {
    Path mf = buildDir.resolve(Manifests.FILE_NAME);
    if (!Files.isRegularFile(mf)) {
      throw new MirrorException(buildDir.toString(), "no manifest.json: not a d4c build folder (build it with ./d4c build)");
    }
    Manifest m = Manifests.read(mf);
    List<String> bad = OutputCheck.compare(m, buildDir).stream().filter(r -> !r.ok()).map(Object::toString).toList();
    if (!bad.isEmpty()) {
      List<String> problems = new ArrayList<>();
      problems.add("the files do not match manifest.json (changed after the build); rebuild before publishing");
      problems.addAll(bad);
      throw new MirrorException(buildDir.toString(), problems);
    }
    return m;
  }

  public Result run(Options o) {
    Path build = o.buildDir().toAbsolutePath().normalize();
    Manifest m = checkedManifest(build);
    boolean dirty = m.resolvedDependencies().code().dirty();
    if (dirty && !o.allowDirty()) {
      throw new MirrorException(build.resolve(Manifests.FILE_NAME).toString(), "built from uncommitted changes (code.dirty"
          + " is true): a published version must be rebuildable from a commit; commit, build again, then publish");
    }
    String folder = m.dataset() + "-" + m.version();
    Path work = build.resolve(WORK_DIR);
    String bundleName = folder + "-source.tar.gz";
    String torrentName = folder + TorrentMaker.EXTENSION;
    Catalog catalog = o.catalogDir() == null ? null : Catalog.at(o.catalogDir());
    String itemId = ItemFactory.itemId(m.dataset(), m.version());

    if (o.dryRun()) {
      printPlan(m, build, o, bundleName, torrentName, dirty);
      return new Result(null, List.of(), null, null, null, List.of());
    }

    // Earlier runs' DOI (and concept DOI) come back from the catalog: publishing again does not mint another.
    ObjectNode before = catalog == null ? null : existingItem(catalog, build, itemId);
    ObjectNode record = PublishedRecord.read(work);
    String doi = firstOf(before == null ? null : before.path("properties").path("sci:doi").asText(null), record.path("doi").asText(null));
    String conceptDoi = firstOf(before == null ? null : before.path("properties").path(Publication.CONCEPT_DOI).asText(null),
        record.path("concept_doi").asText(null));

    Path bundle = null;
    if (dirty) {
      out.println("Warning: the build has uncommitted changes: no source bundle (a real mirror would refuse this build).");
    } else {
      out.println("Source bundle: making " + bundleName);
      bundle = bundles.make(build, work);
    }
    List<ReleaseFile> core = coreFiles(m, build);
    if (bundle != null) core.add(file(bundleName, bundle));

    List<Mirror> opened = new ArrayList<>();
    List<Mirror.Report> reports = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    try {
      for (MirrorFile.Config c : o.mirrors()) opened.add(open.apply(c));
      Release coreRelease = new Release(m.dataset(), m.version(), m, sorted(core));
      // DOI mirrors first.
      for (Mirror mirror : opened) {
        if (!(mirror.config() instanceof MirrorFile.Zenodo)) continue;
        if (mirror instanceof org.d4c.publisher.zenodo.ZenodoMirror z) z.recorded(doi, conceptDoi);
        Mirror.Report r = publishTo(mirror, coreRelease, failures);
        if (r != null) {
          reports.add(r);
          doi = r.extra().getOrDefault("doi", doi);
          conceptDoi = r.extra().getOrDefault("concept_doi", conceptDoi);
        }
      }
      List<String> seeds = new ArrayList<>();
      for (MirrorFile.Config c : o.all()) {
        String s = webSeed(c);
        if (s != null && !seeds.contains(s)) seeds.add(s);
      }
      TorrentMaker maker = TorrentMaker.of(build).webSeeds(seeds).trackers(o.trackers()).doi(doi).hybrid(o.hybrid());
      if (bundle != null) maker.extraFile(bundleName, bundle);
      out.println("Torrent: hashing " + org.d4c.core.io.Sizes.format(core.stream().mapToLong(ReleaseFile::size).sum()) + " with "
          + seeds.size() + " web seed" + (seeds.size() == 1 ? "" : "s"));
      // Written beside the last good torrent and moved over it only when a mirror took the release: a failed publish
      // (another mirror file, other web seeds) must not change the torrent the healthy mirrors hold and verify against.
      Path pendingTorrent = work.resolve("." + torrentName + ".pending");
      TorrentMaker.Result torrent = maker.writeTo(pendingTorrent);
      out.println("  " + torrentName + ": info-hash " + torrent.infoHashV1() + ", " + torrent.numPieces() + " pieces of "
          + org.d4c.core.io.Sizes.format(torrent.pieceLength()));
      List<ReleaseFile> all = new ArrayList<>(core);
      all.add(file(torrentName, torrent.file()));
      Release release = new Release(m.dataset(), m.version(), m, sorted(all));

      for (Mirror mirror : opened) {
        if (mirror.config() instanceof MirrorFile.Zenodo) continue;
        Mirror.Report r = publishTo(mirror, release, failures);
        if (r != null) reports.add(r);
      }

      boolean anyMirror = reports.stream().anyMatch(r -> r.files().stream().anyMatch(f -> f.url() != null && !f.outcome().bad()));
      try {
        if (anyMirror || failures.isEmpty()) {
          Files.move(pendingTorrent, work.resolve(torrentName), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          torrent = torrent.at(work.resolve(torrentName));
        } else {
          Files.deleteIfExists(pendingTorrent);
        }
      } catch (java.io.IOException e) {
        throw new UncheckedIOException("cannot move the torrent into " + work + ": " + e.getMessage(), e);
      }
      ObjectNode item = null;
      if (catalog != null && !anyMirror && !failures.isEmpty()) {
        out.println("Catalog: not changed: no mirror holds the release yet (run publish again when the mirror is back)");
      } else if (catalog != null) {
        item = updateCatalog(catalog, build, itemId, release, reports, o.mirrors(), doi, conceptDoi, torrent, bundle);
        publishCatalog(catalog, opened, reports, failures);
      }
      PublishedRecord.write(work, release, doi, conceptDoi, torrent, reports);
      printSummary(reports, failures);
      return new Result(release, reports, torrent, doi, item, failures);
    } finally {
      for (Mirror mirror : opened) mirror.close();
    }
  }

  /**
   * The BEP 19 web seed a mirror offers: its public base, under which {@code <dataset>-<version>/<file>} is found.
   * Zenodo's file URLs do not follow that layout, so it is no web seed.
   */
  public static String webSeed(MirrorFile.Config c) {
    if (c instanceof MirrorFile.Archive a) {
      // /download/<item>/<file> is a web seed when the item is named exactly like the torrent's root folder.
      return a.itemPrefix().isEmpty() ? a.archiveUrl().toString().replaceAll("/+$", "") + "/download/" : null;
    }
    return c.publicUrl();
  }

  private Mirror.Report publishTo(Mirror mirror, Release release, List<String> failures) {
    out.println("Mirror " + mirror.id() + " (" + mirror.config().type() + "): " + release.files().size() + " files");
    try {
      Mirror.Report r = mirror.publish(release, progress);
      out.print(indent(r.text()));
      return r;
    } catch (MirrorException | UncheckedIOException e) {
      failures.add(mirror.id() + ": " + e.getMessage());
      out.println("  FAILED: " + e.getMessage());
      return null;
    }
  }

  private static ObjectNode existingItem(Catalog catalog, Path build, String itemId) {
    if (!Files.exists(catalog.parquetFile())) return null;
    return catalog.item(itemId);
  }

  private ObjectNode updateCatalog(Catalog catalog, Path build, String itemId, Release release, List<Mirror.Report> reports,
      List<MirrorFile.Config> configs, String doi, String conceptDoi, TorrentMaker.Result torrent, Path bundle) {
    out.println("Catalog: " + catalog.add(build, ItemFactory.Options.DEFAULTS, false).summary());
    Map<String, String> assetOf = new TreeMap<>();
    for (Manifest.OutputFile f : release.manifest().outputs()) assetOf.put(f.path(), ItemFactory.assetKey(f.path()));
    assetOf.put(Manifests.FILE_NAME, ItemFactory.MANIFEST_ASSET);
    assetOf.put(torrent.file().getFileName().toString(), Publication.TORRENT_ASSET);
    if (bundle != null) assetOf.put(bundle.getFileName().toString(), Publication.SOURCE_ASSET);
    Map<String, Map<String, String>> hrefs = new TreeMap<>();
    Map<String, String> titles = new TreeMap<>();
    String primary = null;
    for (MirrorFile.Config c : configs) {
      Mirror.Report r = reports.stream().filter(x -> x.mirror().equals(c.id())).findFirst().orElse(null);
      if (r == null) continue;
      titles.put(c.id(), title(c));
      for (Mirror.FileResult f : r.files()) {
        String asset = assetOf.get(f.name());
        if (asset == null || f.url() == null || f.outcome().bad()) continue;
        hrefs.computeIfAbsent(asset, k -> new TreeMap<>()).put(c.id(), f.url());
        if (primary == null && c.publicUrl() != null) primary = c.id();
      }
    }
    // xs: the .torrent's own URL on every mirror that has it, the primary first, so a client needs no peer for it.
    List<String> torrentUrls = new ArrayList<>();
    Map<String, String> torrentHrefs = hrefs.getOrDefault(Publication.TORRENT_ASSET, Map.of());
    if (primary != null && torrentHrefs.containsKey(primary)) torrentUrls.add(torrentHrefs.get(primary));
    for (MirrorFile.Config c : configs) {
      String u = torrentHrefs.get(c.id());
      if (u != null && (u.startsWith("http://") || u.startsWith("https://")) && !torrentUrls.contains(u)) torrentUrls.add(u);
    }
    torrentUrls.removeIf(u -> !(u.startsWith("http://") || u.startsWith("https://")));
    Publication.Mirrors pub = new Publication.Mirrors(primary, hrefs, titles, doi, conceptDoi,
        new Publication.Torrent(torrent.bytes().length, Hashing.sha256(torrent.bytes()), torrent.infoHashV1(), null,
            Magnet.withTorrentUrls(torrent.magnetUri(), torrentUrls)),
        bundle == null ? null : new Publication.SourceBundle(size(bundle), Hashing.sha256(bundle)));
    ObjectNode item = catalog.update(itemId, Publication.apply(pub));
    out.println("Catalog: " + itemId + " now lists " + titles.size() + " mirror" + (titles.size() == 1 ? "" : "s")
        + (doi == null ? "" : ", DOI " + doi) + ", torrent " + torrent.infoHashV1());
    return item;
  }

  private void publishCatalog(Catalog catalog, List<Mirror> opened, List<Mirror.Report> reports, List<String> failures) {
    List<Mirror> takers = opened.stream().filter(x -> x.config().takesCatalog()).toList();
    if (takers.isEmpty()) return;
    List<ReleaseFile> files = new ArrayList<>();
    try (var walk = Files.walk(catalog.dir())) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        String rel = catalog.dir().relativize(p).toString().replace('\\', '/');
        if (rel.startsWith(".")) continue; // the lock file
        files.add(file(rel, p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Mirror mirror : takers) {
      out.println("Catalog to " + mirror.id() + ": " + files.size() + " files");
      try {
        Mirror.Report r = mirror.publishCatalog(catalog.dir(), files, progress);
        out.println("  " + r.count(Mirror.Outcome.UPLOADED) + " uploaded, " + r.count(Mirror.Outcome.ALREADY_THERE) + " already there");
        reports.add(new Mirror.Report(mirror.id() + " (catalog)", r.files(), null));
      } catch (MirrorException e) {
        failures.add(mirror.id() + " (catalog): " + e.getMessage());
      }
    }
  }

  private void printSummary(List<Mirror.Report> reports, List<String> failures) {
    out.println();
    out.println("Summary:");
    out.println(String.format("  %-18s %10s %14s %10s %10s %8s", "mirror", "uploaded", "bytes", "there", "pending", "bad"));
    for (Mirror.Report r : reports) {
      long bad = r.files().stream().filter(f -> f.outcome().bad()).count();
      out.println(String.format("  %-18s %10d %14d %10d %10d %8d", r.mirror(), r.count(Mirror.Outcome.UPLOADED),
          r.bytes(Mirror.Outcome.UPLOADED), r.count(Mirror.Outcome.ALREADY_THERE), r.count(Mirror.Outcome.PENDING), bad));
    }
    for (String f : failures) out.println("  FAILED " + f);
    if (failures.isEmpty() && reports.stream().allMatch(Mirror.Report::ok)) {
      out.println("  Every file uploaded or already there was checked back by its sha256.");
    }
  }

  private void printPlan(Manifest m, Path build, Options o, String bundleName, String torrentName, boolean dirty) {
    out.println("Plan (dry run, nothing is made or sent):");
    out.println("  version " + m.dataset() + " " + m.version() + " from " + build);
    for (ReleaseFile f : coreFiles(m, build)) out.println("    " + f.name() + "  " + org.d4c.core.io.Sizes.format(f.size()) + "  sha256 " + f.sha256());
    out.println("    " + (dirty ? "(no source bundle: uncommitted changes)" : bundleName + "  (source bundle, made first)"));
    out.println("    " + torrentName + "  (torrent, made after the DOI mirrors" + (o.trackers().isEmpty() ? ", no trackers"
        : ", trackers " + String.join(" ", o.trackers())) + ")");
    for (MirrorFile.Config c : o.mirrors()) {
      out.println("  -> " + c.id() + " (" + c.type() + ")" + (c.publicUrl() == null ? "" : ": " + c.publicUrl()
          + m.dataset() + "-" + m.version() + "/") + (c.takesCatalog() ? ", and the catalog" : ""));
    }
    if (o.catalogDir() != null) out.println("  then the catalog " + o.catalogDir() + " gets the mirrors, the DOI and the torrent");
  }

  /** The build's outputs and manifest, as release files. */
  public static List<ReleaseFile> coreFiles(Manifest m, Path build) {
    List<ReleaseFile> files = new ArrayList<>();
    for (Manifest.OutputFile f : m.outputs()) {
      files.add(new ReleaseFile(f.path(), build.resolve(f.path()), f.size(), f.sha256(), MediaTypes.of(f.path())));
    }
    files.add(file(Manifests.FILE_NAME, build.resolve(Manifests.FILE_NAME)));
    return files;
  }

  /** The DOIs earlier runs recorded for this build: {version DOI, concept DOI}, either null. */
  public static String[] recordedDois(Path buildDir) {
    ObjectNode r = PublishedRecord.read(buildDir.toAbsolutePath().normalize().resolve(WORK_DIR));
    return new String[] {r.path("doi").asText(null), r.path("concept_doi").asText(null)};
  }

  /** The release as a previous publish left it: the core files plus the bundle and torrent in the work folder. */
  public static Release release(Path buildDir) {
    Path build = buildDir.toAbsolutePath().normalize();
    Manifest m = checkedManifest(build);
    String folder = m.dataset() + "-" + m.version();
    List<ReleaseFile> files = coreFiles(m, build);
    for (String extra : List.of(folder + "-source.tar.gz", folder + TorrentMaker.EXTENSION)) {
      Path p = build.resolve(WORK_DIR).resolve(extra);
      if (Files.isRegularFile(p)) files.add(file(extra, p));
    }
    return new Release(m.dataset(), m.version(), m, sorted(files));
  }

  static ReleaseFile file(String name, Path p) {
    return new ReleaseFile(name, p, size(p), Hashing.sha256(p), MediaTypes.of(name));
  }

  private static List<ReleaseFile> sorted(List<ReleaseFile> files) {
    List<ReleaseFile> s = new ArrayList<>(files);
    s.sort(java.util.Comparator.comparing(ReleaseFile::name));
    return s;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String title(MirrorFile.Config c) {
    return switch (c.type()) {
      case "s3" -> "S3 mirror " + c.id();
      case "zenodo" -> "Zenodo";
      case "internet-archive" -> "Internet Archive";
      default -> "Mirror " + c.id();
    };
  }

  private static String firstOf(String a, String b) {
    if (a != null && !a.isBlank()) return a;
    return b == null || b.isBlank() ? null : b;
  }

  private static String indent(String text) {
    return text.lines().map(l -> "  " + l + "\n").reduce("", String::concat);
  }

}
