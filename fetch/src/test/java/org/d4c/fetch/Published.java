package org.d4c.fetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.d4c.catalog.Catalog;
import org.d4c.catalog.ItemFactory;
import org.d4c.catalog.Publication;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.publisher.torrent.TorrentMaker;
import org.d4c.testing.TestBuilds;

/**
 * A published dataset for the get tests: a build (a real small GeoParquet, a random blob, a real manifest.json), its
 * torrent with every mirror as a web seed, copies of the build on every mirror folder, and the catalog item with the
 * hrefs and alternates publishing writes (the first mirror is the primary).
 */
record Published(String itemId, String name, Path build, byte[] torrent, TorrentMaker.Result result) {

  /** A mirror: its id, the folder its files live in, and its public base URL (the web seed). */
  record Mirror(String id, Path folder, String base) {}

  static Published publish(Path work, Path catalogDir, List<Mirror> mirrors, String dataset, String version, long blobBytes, long seed) {
    try {
      String root = dataset + "-" + version;
      Path build = Files.createDirectories(work.resolve("builds").resolve(root));
      Path data = build.resolve("data.parquet");
      TestBuilds.writeGeoParquet(data, List.of(new double[] {-76, 45, -75.5, 45.5}));
      Path blob = build.resolve("extra/blob.bin");
      Files.createDirectories(blob.getParent());
      Random random = new Random(seed);
      try (java.io.OutputStream out = Files.newOutputStream(blob)) {
        byte[] chunk = new byte[1 << 20];
        for (long left = blobBytes; left > 0; left -= chunk.length) {
          random.nextBytes(chunk);
          out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
      }
      String yaml = "dataset: " + dataset + "\nversion: " + version + "\ntitle: Test " + dataset + "\n"
          + "description: Get test data.\nlicense: CC-BY-4.0\ncrs: OGC:CRS84\ndatetime: 2023-02-03\n"
          + "keywords: [test]\nproviders:\n  - name: d4c tests\n    roles: [producer]\n"
          + "sources:\n  - id: src\n    urls: [data/src.gpkg]\n    sha256: " + "ab".repeat(32) + "\n    size: 1234\n"
          + "outputs:\n  - name: data\n    source: src\n";
      Recipe recipe = Recipes.parse(yaml, build.resolve("recipe.yaml"));
      Map<String, Object> params = new TreeMap<>();
      params.put("crs", "OGC:CRS84");
      params.put("geoparquet_version", "1.1.0");
      Manifest m = Manifest.of(recipe, "recipes/" + dataset + "/recipe.yaml",
          new CodeVersion("0123456789abcdef0123456789abcdef01234567", false, null),
          new Manifest.Environment(Map.of(), Map.of("d4c", "0.1.0-test", "java", "17")), params,
          List.of(Manifest.OutputFile.of(build, data, 1, Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA),
              Manifest.OutputFile.of(build, blob, 0, "application/octet-stream", Manifest.OutputFile.REJECTS)),
          Manifest.Rejects.NONE);
      Manifests.write(build, m);
      Files.deleteIfExists(build.resolve("recipe.yaml"));

      Path torrent = work.resolve("torrents").resolve(root + ".torrent");
      TorrentMaker.Result r = TorrentMaker.of(build).webSeeds(mirrors.stream().map(Mirror::base).toList()).writeTo(torrent);
      for (Mirror mirror : mirrors) {
        copy(build, mirror.folder().resolve(root));
        Files.createDirectories(mirror.folder().resolve("torrents"));
        Files.write(mirror.folder().resolve("torrents").resolve(root + ".torrent"), r.bytes());
      }
      Catalog c = Catalog.at(catalogDir);
      Catalog.AddResult added = c.add(build, ItemFactory.Options.DEFAULTS, false);
      Map<String, String> torrents = new LinkedHashMap<>();
      Map<String, String> manifests = new LinkedHashMap<>();
      Map<String, String> titles = new TreeMap<>();
      for (Mirror mirror : mirrors) {
        torrents.put(mirror.id(), mirror.base() + "torrents/" + root + ".torrent");
        manifests.put(mirror.id(), mirror.base() + root + "/manifest.json");
        titles.put(mirror.id(), "Mirror " + mirror.id());
      }
      Map<String, Map<String, String>> hrefs = new TreeMap<>();
      hrefs.put(Publication.TORRENT_ASSET, torrents);
      hrefs.put("manifest", manifests);
      Publication.Torrent t = new Publication.Torrent(r.bytes().length, Hashing.sha256(r.bytes()), r.infoHashV1(), null, r.magnetUri());
      c.update(added.id(), Publication.apply(new Publication.Mirrors(mirrors.get(0).id(), hrefs, titles, "10.5281/zenodo." + (1000 + seed),
          null, t, null)));
      return new Published(added.id(), root, build, r.bytes(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path d = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(d);
        else if (!Files.isRegularFile(d) || Files.size(d) != Files.size(p) || Files.getLastModifiedTime(d).compareTo(Files.getLastModifiedTime(p)) < 0) {
          Files.copy(p, d, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // mirrors sharing one folder copy it once
        }
      }
    }
  }

  /** Every file of the downloaded folder equals the build's. */
  static void assertSame(Path build, Path got) throws IOException {
    try (Stream<Path> s = Files.walk(build)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Path g = got.resolve(build.relativize(p).toString());
        if (!Files.isRegularFile(g)) throw new AssertionError("missing " + g);
        if (!Hashing.sha256(p).equals(Hashing.sha256(g))) throw new AssertionError("different bytes: " + g);
      }
    }
  }
}
