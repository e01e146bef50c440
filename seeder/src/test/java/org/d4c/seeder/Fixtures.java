package org.d4c.seeder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.catalog.Catalog;
import org.d4c.testing.TestBuilds;
import org.d4c.catalog.ItemFactory;
import org.d4c.catalog.Publication;
import org.d4c.publisher.torrent.TorrentMaker;

/**
 * Published datasets for the seeder tests: a build folder (a real small GeoParquet, a random blob of the size asked
 * for, a real manifest.json) under {@code MIRROR/<dataset>-<version>/}, its torrent (web seed = the mirror) under
 * {@code MIRROR/torrents/}, and the catalog item with the publication fields, exactly what publishing writes.
 */
public final class Fixtures {
  private Fixtures() {}

  /** One published dataset. */
  public record Published(String itemId, Path build, Path torrent, TorrentMaker.Result result, Manifest manifest, String magnet) {}

  public static Published publish(Path catalogDir, Path mirrorRoot, String mirrorBase, String dataset, String version, int blobBytes,
      long seed) {
    return publish(catalogDir, mirrorRoot, List.of(mirrorBase), mirrorBase, dataset, version, blobBytes, seed);
  }

  /**
   * As above, with several web seeds (the torrent's {@code url-list}; the first is the catalog's manifest href) and
   * the .torrent's href on {@code torrentBase}, which may be another server.
   */
  public static Published publish(Path catalogDir, Path mirrorRoot, List<String> webSeeds, String torrentBase, String dataset,
      String version, int blobBytes, long seed) {
    return publish(catalogDir, mirrorRoot, webSeeds, torrentBase, List.of(), dataset, version, blobBytes, seed);
  }

  /** As above, with trackers in the torrent; the catalog's magnet carries tr, ws and xs as publishing writes it. */
  public static Published publish(Path catalogDir, Path mirrorRoot, List<String> webSeeds, String torrentBase, List<String> trackers,
      String dataset, String version, int blobBytes, long seed) {
    String mirrorBase = webSeeds.get(0);
    try {
      String root = dataset + "-" + version;
      Path build = Files.createDirectories(mirrorRoot.resolve(root));
      Path data = build.resolve("data.parquet");
      TestBuilds.writeGeoParquet(data, List.of(new double[] {-76, 45, -75.5, 45.5}));
      Path blob = build.resolve("extra/blob.bin");
      Files.createDirectories(blob.getParent());
      byte[] bytes = new byte[blobBytes];
      new Random(seed).nextBytes(bytes);
      Files.write(blob, bytes);
      String yaml = "dataset: " + dataset + "\nversion: " + version + "\ntitle: Test " + dataset + "\n"
          + "description: Seeder test data.\nlicense: CC-BY-4.0\ncrs: OGC:CRS84\ndatetime: 2023-02-03\n"
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

      Path torrent = mirrorRoot.resolve("torrents").resolve(root + ".torrent");
      TorrentMaker.Result r = TorrentMaker.of(build).webSeeds(webSeeds).trackers(trackers).writeTo(torrent);
      Catalog c = Catalog.at(catalogDir);
      Catalog.AddResult added = c.add(build, ItemFactory.Options.DEFAULTS, false);
      Map<String, Map<String, String>> hrefs = new TreeMap<>();
      hrefs.put(Publication.TORRENT_ASSET, Map.of("test-mirror", torrentBase + "torrents/" + root + ".torrent"));
      hrefs.put("manifest", Map.of("test-mirror", mirrorBase + root + "/manifest.json"));
      String magnet = org.d4c.publisher.torrent.Magnet.withTorrentUrls(r.magnetUri(), List.of(torrentBase + "torrents/" + root + ".torrent"));
      Publication.Torrent t = new Publication.Torrent(r.bytes().length, sha256(r.bytes()), r.infoHashV1(), null, magnet);
      c.update(added.id(), Publication.apply(new Publication.Mirrors("test-mirror", hrefs, Map.of("test-mirror", "Test mirror"),
          null, null, t, null)));
      return new Published(added.id(), build, torrent, r, m, magnet);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String sha256(byte[] b) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
