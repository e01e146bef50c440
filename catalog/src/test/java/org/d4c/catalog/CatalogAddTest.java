package org.d4c.catalog;
import org.d4c.testing.TestBuilds;

import static org.d4c.testing.TestBuilds.CANADA;
import static org.d4c.testing.TestBuilds.NZ;
import static org.d4c.testing.TestBuilds.OTTAWA;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.d4c.core.json.CanonicalJson;
import org.d4c.core.hash.Hashing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.proj4j.CRSFactory;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

/** {@code catalog add}: the items, collections and files it writes, its determinism, and the inputs it refuses. */
class CatalogAddTest {
  @TempDir
  Path tmp;

  /** Row groups of about 2 rows, so that adds splice row groups as they do in a large catalog. */
  @org.junit.jupiter.api.BeforeAll
  static void smallRowGroups() {
    System.setProperty("d4c.catalog.rowGroupModulus", "2");
  }

  @org.junit.jupiter.api.AfterAll
  static void defaultRowGroups() {
    System.clearProperty("d4c.catalog.rowGroupModulus");
  }

  private static final TestBuilds.Spec A1 = TestBuilds.Spec.of("alpha", "1.0.0", CANADA, OTTAWA);
  private static final TestBuilds.Spec A2 = TestBuilds.Spec.of("alpha", "1.10.0", OTTAWA);
  private static final TestBuilds.Spec A3 = TestBuilds.Spec.of("alpha", "1.2.0", CANADA);
  private static final TestBuilds.Spec B1 = TestBuilds.Spec.of("beta", "2.0.0", NZ)
      .withTime("start_datetime: 2020-01-01\nend_datetime: 2020-12-31");

  private Catalog catalogWith(Path root, TestBuilds.Spec... specs) {
    Catalog cat = Catalog.at(root.resolve("cat"));
    for (TestBuilds.Spec s : specs) {
      Path build = TestBuilds.write(root.resolve("builds").resolve(s.dataset() + "-" + s.version()), s);
      cat.add(build, ItemFactory.Options.DEFAULTS, false);
    }
    return cat;
  }

  private static ObjectNode item(CatalogParquet.Contents c, String id) {
    return c.items().stream().filter(i -> i.path("id").asText().equals(id)).findFirst().orElseThrow();
  }

  private static List<String> rels(JsonNode item, String rel) {
    List<String> out = new ArrayList<>();
    for (JsonNode l : item.path("links")) if (l.path("rel").asText().equals(rel)) out.add(l.path("href").asText());
    return out;
  }

  @Test
  void itemsCarryFootprintTimeVersionsAssetsAndExtensions() throws Exception {
    Catalog cat = catalogWith(tmp, A1, A2, A3, B1);
    CatalogParquet.Contents c = cat.read();
    assertThat(c.items().stream().map(i -> i.path("id").asText()).toList(),
        contains("alpha-1.0.0", "alpha-1.10.0", "alpha-1.2.0", "beta-2.0.0")); // rows: collection, then id
    assertThat(c.collections().keySet(), contains("alpha", "beta"));

    ObjectNode a1 = item(c, "alpha-1.0.0");
    JsonNode p = a1.path("properties");
    assertThat(p.path("datetime").asText(), is("2023-02-03T00:00:00Z"));
    assertThat(p.path("version").asText(), is("1.0.0"));
    assertThat(p.path("deprecated").asBoolean(true), is(false));
    assertThat(p.path("license").asText(), is("CC-BY-4.0"));
    assertThat(p.path("processing:lineage").asText(), containsString("0123456789abcdef0123456789abcdef01234567"));
    assertThat(p.path("processing:software").path("d4c").asText(), is("0.1.0-test"));
    assertThat(CatalogParquet.compact(a1.path("stac_extensions")), is("[\"" + Stac.FILE_EXT + "\",\"" + Stac.PROCESSING_EXT
        + "\",\"" + Stac.VERSION_EXT + "\"]"));
    // The footprint contains every feature bbox; the item bbox is the data's extent.
    Geometry footprint = GeoJson.fromJson(a1.get("geometry"), "t");
    for (double[] b : List.of(CANADA, OTTAWA)) {
      assertThat(footprint.covers(GeoJson.factory().toGeometry(new Envelope(b[0], b[2], b[1], b[3]))), is(true));
    }
    assertThat(CatalogParquet.compact(a1.get("bbox")), is("[-141,41.7,-52.6,83.1]"));

    // Versions: semantic order 1.0.0 < 1.2.0 < 1.10.0, the latest is 1.10.0.
    assertThat(rels(a1, "successor-version"), contains("alpha/alpha-1.2.0/alpha-1.2.0.json"));
    assertThat(rels(a1, "latest-version"), contains("alpha/alpha-1.10.0/alpha-1.10.0.json"));
    assertThat(rels(item(c, "alpha-1.10.0"), "predecessor-version"), contains("alpha/alpha-1.2.0/alpha-1.2.0.json"));
    assertThat(rels(item(c, "alpha-1.10.0"), "latest-version"), is(empty()));
    JsonNode alpha = c.collections().get("alpha");
    assertThat(CatalogParquet.compact(alpha.path("summaries").path("version")), is("[\"1.0.0\",\"1.2.0\",\"1.10.0\"]"));
    assertThat(rels(alpha, "latest-version"), contains("alpha/alpha-1.10.0/alpha-1.10.0.json"));
    assertThat(alpha.path("title").asText(), is("Test alpha"));
    assertThat(rels(alpha, "item"), is(empty())); // in catalog.parquet the items are the rows
    JsonNode alphaFile = CanonicalJson.mapper().readTree(cat.dir().resolve("alpha/collection.json").toFile());
    assertThat(rels(alphaFile, "item"), contains("alpha-1.0.0/alpha-1.0.0.json", "alpha-1.2.0/alpha-1.2.0.json",
        "alpha-1.10.0/alpha-1.10.0.json"));
    assertThat(CatalogParquet.compact(alpha.path("extent").path("spatial").path("bbox")), is("[[-141,41.7,-52.6,83.1]]"));
    JsonNode latest = CanonicalJson.mapper().readTree(cat.dir().resolve("alpha/latest.json").toFile());
    assertThat(latest.path("version").asText(), is("1.10.0"));
    assertThat(latest.path("href").asText(), is("alpha-1.10.0/alpha-1.10.0.json"));

    // start/end instead of datetime.
    JsonNode b = item(c, "beta-2.0.0").path("properties");
    assertThat(b.path("datetime").isNull(), is(true));
    assertThat(b.path("start_datetime").asText(), is("2020-01-01T00:00:00Z"));
    assertThat(b.path("end_datetime").asText(), is("2020-12-31T23:59:59Z"));
    assertThat(CatalogParquet.compact(c.collections().get("beta").path("extent").path("temporal")),
        is("{\"interval\":[[\"2020-01-01T00:00:00Z\",\"2020-12-31T23:59:59Z\"]]}"));

    // Assets: the data file and the manifest, with size and multihash; hrefs relative, resolving to the build.
    Path build = tmp.resolve("builds/alpha-1.0.0");
    JsonNode data = a1.path("assets").path("data");
    assertThat(data.path("file:checksum").asText(), is("1220" + Hashing.sha256(build.resolve("data.parquet"))));
    assertThat(data.path("file:size").asLong(), is(Files.size(build.resolve("data.parquet"))));
    assertThat(data.path("type").asText(), is(Stac.PARQUET));
    assertThat(data.path("roles").toString(), is("[\"data\"]"));
    assertThat(data.path("href").asText(), is("../builds/alpha-1.0.0/data.parquet"));
    assertThat(a1.path("assets").path("manifest").path("file:checksum").asText(), is("1220" + Hashing.sha256(build.resolve("manifest.json"))));
    Path itemFile = cat.dir().resolve("alpha/alpha-1.0.0/alpha-1.0.0.json");
    JsonNode onDisk = CanonicalJson.mapper().readTree(itemFile.toFile());
    assertThat(Files.isSameFile(itemFile.getParent().resolve(onDisk.path("assets").path("data").path("href").asText()),
        build.resolve("data.parquet")), is(true));
    assertThat(rels(onDisk, "collection"), contains("../collection.json"));
    assertThat(rels(onDisk, "root"), contains("../../catalog.json"));

    try (CatalogSource src = CatalogSource.open(cat.dir().toString())) {
      CatalogValidator.Report r = CatalogValidator.validate(src, true, true);
      assertThat(r.text(), r.problems(), is(empty()));
      assertThat(r.items(), is(4));
      assertThat(r.files(), is(1 + 2 * 2 + 4));
    }
  }

  @Test
  void aParquetRowTurnsBackIntoTheItemThatWasAdded() throws Exception {
    Catalog cat = Catalog.at(tmp.resolve("cat"));
    Catalog.AddResult r = cat.add(TestBuilds.write(tmp.resolve("b"), B1), ItemFactory.Options.DEFAULTS, false);
    ObjectNode row = cat.read().items().get(0);
    assertThat(row, is(r.item()));
    byte[] file = Files.readAllBytes(r.itemFile());
    assertThat(new String(file), is(new String(StaticCatalog.bytes(row, CatalogLinks.itemPath("beta", "beta-2.0.0")))));
    ObjectNode fromFile = StaticCatalog.toRoot(CanonicalJson.mapper().readTree(file), "beta/beta-2.0.0");
    assertThat(CanonicalJson.toString(fromFile), is(CanonicalJson.toString(row)));
  }

  @Test
  void sameInputsGiveTheSameBytesInAnyOrder() throws Exception {
    Catalog one = catalogWith(tmp.resolve("one"), A1, B1, A2, A3);
    Catalog two = catalogWith(tmp.resolve("two"), A3, A2, B1, A1);
    Map<String, byte[]> a = TestBuilds.snapshot(one.dir());
    Map<String, byte[]> b = TestBuilds.snapshot(two.dir());
    assertThat(TestBuilds.differences(a, b), is(empty()));
    assertThat(a.keySet(), hasItem("catalog.parquet"));
    // Spliced row groups give the same file as writing every item at once.
    CatalogParquet.Contents c = one.read();
    assertThat(c.rowGroupRows().size() > 1, is(true));
    Path whole = tmp.resolve("whole.parquet");
    CatalogParquet.write(whole, c.items(), c.collections());
    assertThat(Files.readAllBytes(whole), is(a.get("catalog.parquet")));
    // Adding the same build again changes nothing.
    Catalog.AddResult again = one.add(tmp.resolve("one/builds/alpha-1.0.0"), ItemFactory.Options.DEFAULTS, false);
    assertThat(again.status(), is(Catalog.Status.UNCHANGED));
    assertThat(TestBuilds.differences(a, TestBuilds.snapshot(one.dir())), is(empty()));
  }

  @Test
  void aDoiAndMirrorsAreKeptWhenTheSameBuildIsAddedAgain() throws Exception {
    Catalog cat = Catalog.at(tmp.resolve("cat"));
    Path build = TestBuilds.write(tmp.resolve("b"), A1);
    cat.add(build, new ItemFactory.Options(null, "https://doi.org/10.5281/zenodo.1234567", "Tests (2023) Alpha. v1.0.0"), false);
    cat.putAlternate("alpha-1.0.0", "data", "s3", "s3://bucket/alpha/1.0.0/data.parquet", "S3 mirror");
    Catalog.AddResult r = cat.add(build, ItemFactory.Options.DEFAULTS, false);
    assertThat(r.status(), is(Catalog.Status.UNCHANGED));
    JsonNode i = cat.read().items().get(0);
    assertThat(i.path("properties").path("sci:doi").asText(), is("10.5281/zenodo.1234567"));
    assertThat(i.path("properties").path("sci:citation").asText(), is("Tests (2023) Alpha. v1.0.0"));
    assertThat(rels(i, "cite-as"), contains("https://doi.org/10.5281/zenodo.1234567"));
    assertThat(i.path("assets").path("data").path("alternate").path("s3").path("href").asText(), is("s3://bucket/alpha/1.0.0/data.parquet"));
    assertThat(i.path("stac_extensions").toString(), containsString(Stac.SCIENTIFIC_EXT));
    assertThat(i.path("stac_extensions").toString(), containsString(Stac.ALTERNATE_EXT));
    try (CatalogSource src = CatalogSource.open(cat.dir().toString())) {
      CatalogValidator.Report v = CatalogValidator.validate(src, false, false);
      assertThat(v.text(), v.ok(), is(true));
    }
    assertThrows(CatalogException.class, () -> new ItemFactory.Options(null, "zenodo 12", null));
  }

  @Test
  void publishingPutsMirrorsDoiAndTorrentInTheItemAndAReAddKeepsThem() throws Exception {
    Catalog cat = Catalog.at(tmp.resolve("cat"));
    Path build = TestBuilds.write(tmp.resolve("b"), A1);
    cat.add(build, ItemFactory.Options.DEFAULTS, false);
    String hash = "0123456789abcdef0123456789abcdef01234567";
    Publication.Mirrors m = new Publication.Mirrors("r2",
        java.util.Map.of("data", java.util.Map.of("r2", "https://r2.example/alpha/1.0.0/data.parquet", "ia", "https://archive.example/alpha/data.parquet"),
            "torrent", java.util.Map.of("r2", "https://r2.example/alpha/1.0.0/alpha-1.0.0.torrent")),
        java.util.Map.of("ia", "Internet Archive"), "10.5281/zenodo.42", "10.5281/zenodo.41",
        new Publication.Torrent(321, "ab".repeat(32), hash, null, "magnet:?xt=urn:btih:" + hash), null);
    cat.update("alpha-1.0.0", Publication.apply(m));
    for (JsonNode i : List.of(cat.read().items().get(0), cat.add(build, ItemFactory.Options.DEFAULTS, false).item())) {
      assertThat(i.path("assets").path("data").path("href").asText(), is("https://r2.example/alpha/1.0.0/data.parquet"));
      assertThat(i.path("assets").path("data").path("alternate").path("ia").path("href").asText(), is("https://archive.example/alpha/data.parquet"));
      assertThat(i.path("assets").path("data").path("alternate").has("r2"), is(false));
      assertThat(i.path("assets").path("torrent").path("type").asText(), is("application/x-bittorrent"));
      assertThat(i.path("assets").path("torrent").path("href").asText(), is("https://r2.example/alpha/1.0.0/alpha-1.0.0.torrent"));
      assertThat(i.path("properties").path("torrent:infohash").asText(), is(hash));
      assertThat(i.path("properties").path("sci:doi").asText(), is("10.5281/zenodo.42"));
      assertThat(i.path("properties").path("d4c:concept_doi").asText(), is("10.5281/zenodo.41"));
      assertThat(rels(i, "cite-as"), contains("https://doi.org/10.5281/zenodo.42"));
    }
    try (CatalogSource src = CatalogSource.open(cat.dir().toString())) {
      CatalogValidator.Report v = CatalogValidator.validate(src, false, false);
      assertThat(v.text(), v.ok(), is(true));
    }
    assertThrows(CatalogException.class, () -> cat.update("nope-1.0.0", i -> i));
  }

  @Test
  void aProjectedBuildGetsItsFootprintInLonLat() {
    var t = new CoordinateTransformFactory().createTransform(new CRSFactory().createFromName("EPSG:4326"),
        new CRSFactory().createFromName("EPSG:3347"));
    ProjCoordinate lo = t.transform(new ProjCoordinate(-76, 45), new ProjCoordinate());
    ProjCoordinate hi = t.transform(new ProjCoordinate(-75.5, 45.5), new ProjCoordinate());
    TestBuilds.Spec s = TestBuilds.Spec.of("lambert", "1.0.0", new double[] {lo.x, lo.y, hi.x, hi.y}).withCrs("EPSG:3347");
    Catalog.AddResult r = Catalog.at(tmp.resolve("cat")).add(TestBuilds.write(tmp.resolve("b"), s), ItemFactory.Options.DEFAULTS, false);
    Geometry g = GeoJson.fromJson(r.item().get("geometry"), "t");
    assertThat(g.covers(GeoJson.factory().createPoint(new org.locationtech.jts.geom.Coordinate(-76, 45))), is(true));
    assertThat(g.covers(GeoJson.factory().createPoint(new org.locationtech.jts.geom.Coordinate(-75.5, 45.5))), is(true));
    assertThat(g.getEnvelopeInternal().getMinX() > -77 && g.getEnvelopeInternal().getMaxY() < 46, is(true));
  }

  // ---- bad input: a clear error and the catalog untouched ----------------------------------------------------------

  private CatalogException refused(Catalog cat, Path build, boolean replace) throws Exception {
    Map<String, byte[]> before = TestBuilds.snapshot(cat.dir());
    CatalogException e = assertThrows(CatalogException.class, () -> cat.add(build, ItemFactory.Options.DEFAULTS, replace));
    assertThat(TestBuilds.differences(before, TestBuilds.snapshot(cat.dir())), is(empty()));
    return e;
  }

  @Test
  void aBuildWhoseFilesDoNotMatchItsManifestIsRefused() throws Exception {
    Catalog cat = catalogWith(tmp, A1);
    Path b = TestBuilds.write(tmp.resolve("tampered"), B1);
    Files.write(b.resolve("data.parquet"), new byte[] {0}, StandardOpenOption.APPEND);
    CatalogException e = refused(cat, b, false);
    assertThat(e.getMessage(), containsString("do not match manifest.json"));
    assertThat(e.getMessage(), containsString("data.parquet: size differs"));
    Path nothing = Files.createDirectories(tmp.resolve("empty"));
    assertThat(refused(cat, nothing, false).getMessage(), containsString("no manifest.json"));
  }

  @Test
  void anIdTakenByADifferentBuildIsRefusedUnlessReplaced() throws Exception {
    Catalog cat = catalogWith(tmp, A1);
    Path other = TestBuilds.write(tmp.resolve("other"), TestBuilds.Spec.of("alpha", "1.0.0", NZ));
    CatalogException e = refused(cat, other, false);
    assertThat(e.getMessage(), containsString("item alpha-1.0.0 is already in the catalog from a different build"));
    assertThat(e.getMessage(), containsString("--replace"));
    assertThat(cat.add(other, ItemFactory.Options.DEFAULTS, true).status(), is(Catalog.Status.REPLACED));
    assertThat(CatalogParquet.compact(cat.read().items().get(0).get("bbox")), is("[166,-47,178.6,-34]"));
  }

  @Test
  void aCorruptOrForeignCatalogParquetIsRefused() throws Exception {
    Catalog cat = catalogWith(tmp, A1);
    Path b = TestBuilds.write(tmp.resolve("b"), B1);
    Path pq = cat.parquetFile();
    byte[] good = Files.readAllBytes(pq);
    Files.write(pq, java.util.Arrays.copyOf(good, good.length / 2));
    assertThat(refused(cat, b, false).getMessage(), containsString("catalog.parquet"));
    Files.write(pq, "not parquet at all".getBytes());
    assertThat(refused(cat, b, false).getMessage(), containsString("not an unencrypted Parquet file"));
    Files.copy(tmp.resolve("builds/alpha-1.0.0/data.parquet"), pq, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(refused(cat, b, false).getMessage(), containsString("not a stac-geoparquet catalog"));
  }

  @Test
  void aRecipeWithoutDatetimeIsRefused() throws Exception {
    Catalog cat = catalogWith(tmp, A1);
    Path b = TestBuilds.write(tmp.resolve("b"), TestBuilds.Spec.of("gamma", "1.0.0", NZ).withTime(""));
    CatalogException e = refused(cat, b, false);
    assertThat(e.getMessage(), containsString("recipe.datetime: missing"));
    assertThat(e.getMessage(), not(containsString("Exception")));
  }
}
