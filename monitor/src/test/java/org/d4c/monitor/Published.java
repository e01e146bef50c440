package org.d4c.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.d4c.catalog.Catalog;
import org.d4c.catalog.ItemFactory;
import org.d4c.catalog.Publication;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.d4c.publisher.torrent.TorrentMaker;
import org.d4c.testing.TestBuilds;

/**
 * A dataset published to several mirror folders exactly as publishing does: the build under
 * {@code MIRROR/<dataset>-<version>/} on every mirror, its torrent (every mirror a web seed) under
 * {@code MIRROR/torrents/}, and the catalog item with {@code href} on the first mirror and {@code alternate} on the
 * others.
 */
public final class Published {
  private Published() {}

  public record Item(String id, Path build, TorrentMaker.Result torrent) {}

  /** @param mirrors mirror id -> (folder, public base URL ending in "/"), the first is the primary */
  public static Item publish(Path catalogDir, Map<String, Map.Entry<Path, String>> mirrors, String dataset, String version, int blobBytes, long seed) {
    try {
      String root = dataset + "-" + version;
      Path work = Files.createTempDirectory("d4c-build-");
      Path build = Files.createDirectories(work.resolve(root));
      Path data = build.resolve("data.parquet");
      TestBuilds.writeGeoParquet(data, List.of(new double[] {-76, 45, -75.5, 45.5}));
      Path blob = build.resolve("extra/blob.bin");
      Files.createDirectories(blob.getParent());
      byte[] bytes = new byte[blobBytes];
      new Random(seed).nextBytes(bytes);
      Files.write(blob, bytes);
      String yaml = "dataset: " + dataset + "\nversion: " + version + "\ntitle: Test " + dataset + "\n"
          + "description: Monitor test data.\nlicense: CC-BY-4.0\ncrs: OGC:CRS84\ndatetime: 2023-02-03\n"
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
      List<String> bases = mirrors.values().stream().map(Map.Entry::getValue).toList();
      Path torrent = work.resolve(root + ".torrent");
      TorrentMaker.Result r = TorrentMaker.of(build).webSeeds(bases).writeTo(torrent);
      for (Map.Entry<Path, String> mir : mirrors.values()) {
        copyTree(build, mir.getKey().resolve(root));
        Files.createDirectories(mir.getKey().resolve("torrents"));
        Files.copy(torrent, mir.getKey().resolve("torrents").resolve(root + ".torrent"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Catalog c = Catalog.at(catalogDir);
      Catalog.AddResult added = c.add(build, ItemFactory.Options.DEFAULTS, false);
      ObjectNode item = c.item(added.id());
      Map<String, Map<String, String>> hrefs = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = item.path("assets").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> a = it.next();
        String href = a.getValue().path("href").asText();
        int i = href.indexOf(root + "/");
        if (i < 0) continue;
        String rel = href.substring(i);
        Map<String, String> byMirror = new TreeMap<>();
        mirrors.forEach((id, mir) -> byMirror.put(id, mir.getValue() + rel));
        hrefs.put(a.getKey(), byMirror);
      }
      Map<String, String> tor = new TreeMap<>();
      mirrors.forEach((id, mir) -> tor.put(id, mir.getValue() + "torrents/" + root + ".torrent"));
      hrefs.put(Publication.TORRENT_ASSET, tor);
      Map<String, String> titles = new TreeMap<>();
      mirrors.keySet().forEach(id -> titles.put(id, "Mirror " + id));
      Publication.Torrent t = new Publication.Torrent(r.bytes().length, org.d4c.core.hash.Hashing.sha256(r.bytes()), r.infoHashV1(), null, r.magnetUri());
      c.update(added.id(), Publication.apply(new Publication.Mirrors(mirrors.keySet().iterator().next(), hrefs, titles, null, null, t, null)));
      return new Item(added.id(), build, r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path d = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(d);
        else Files.copy(p, d, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
