package org.d4c.catalog;

import org.d4c.testing.TestBuilds;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.d4c.core.json.CanonicalJson;

/**
 * The catalog benchmark (run by bench/catalog-bench.sh, not by the test suite): generates a catalog of N items
 * (COLLECTIONS datasets x versions, random footprints, times and keywords, shaped exactly like real items), then
 * measures adding one more version with {@link Catalog#add} and the warm latency of bbox, text, datetime and
 * collection searches (one open {@link CatalogSearch}, repeated queries). Prints one "key value" line per figure.
 *
 * <p>Usage: {@code CatalogBench DIR [ITEMS] [COLLECTIONS]} (default 100000 items in 1000 collections), or
 * {@code CatalogBench --fixture DIR DATASET VERSION} to write one small build folder.
 */
public final class CatalogBench {
  private static final String[] WORDS = {"roads", "rivers", "lakes", "forests", "census", "boundaries", "buildings",
      "elevation", "soils", "wetlands", "parks", "railways", "airports", "ports", "schools", "hospitals", "wildfires",
      "floods", "permafrost", "glaciers", "coastline", "islands", "mines", "wells", "pipelines", "transit", "bikeways",
      "zoning", "parcels", "addresses"};

  private CatalogBench() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--fixture")) { // a small build folder for the command-line part of the script
      TestBuilds.write(Path.of(args[1]), TestBuilds.Spec.of(args[2], args[3], new double[] {-80, 40, -70, 50}));
      return;
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int collections = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    Catalog cat = Catalog.at(dir.resolve("catalog"));
    if (!Files.exists(cat.parquetFile())) {
      long t0 = System.nanoTime();
      generate(dir, cat, n, collections);
      print("generate_s", (System.nanoTime() - t0) / 1e9);
    }
    print("catalog_parquet_bytes", Files.size(cat.parquetFile()));

    // Add one more version to one dataset, three times (new versions each time); report each and the median.
    double[] add = new double[3];
    for (int k = 0; k < 3; k++) {
      String version = (1000 + k + (int) (System.nanoTime() % 1000) * 10) + ".0.0";
      Path build = TestBuilds.write(dir.resolve("builds/extra-" + version),
          TestBuilds.Spec.of("ds-0500", version, new double[] {-80, 40, -70, 50}));
      long t0 = System.nanoTime();
      Catalog.AddResult r = cat.add(build, ItemFactory.Options.DEFAULTS, false);
      add[k] = (System.nanoTime() - t0) / 1e6;
      System.err.println(r.summary() + " in " + Math.round(add[k]) + " ms");
    }
    print("add_one_item_ms_each", Arrays.toString(Arrays.stream(add).map(Math::round).toArray()));
    print("add_one_item_ms_median", median(add));
    long t0 = System.nanoTime();
    Catalog.AddResult same = cat.add(dir.resolve("builds").resolve(Files.list(dir.resolve("builds")).sorted().toList().get(0).getFileName()),
        ItemFactory.Options.DEFAULTS, false);
    print("readd_unchanged_ms", (System.nanoTime() - t0) / 1e6 + " (" + same.status() + ")");

    Random rnd = new Random(7);
    try (CatalogSearch s = CatalogSearch.open(cat.parquetFile())) {
      List<SearchQuery> bbox = new ArrayList<>();
      List<SearchQuery> text = new ArrayList<>();
      List<SearchQuery> time = new ArrayList<>();
      List<SearchQuery> coll = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        double x = -170 + rnd.nextDouble() * 330;
        double y = -80 + rnd.nextDouble() * 150;
        bbox.add(SearchQuery.parse(f(x) + "," + f(y) + "," + f(x + 2) + "," + f(y + 2), null, null, null, 100));
        text.add(SearchQuery.parse(null, null, null, WORDS[rnd.nextInt(WORDS.length)] + " " + WORDS[rnd.nextInt(WORDS.length)], 100));
        int year = 2000 + rnd.nextInt(25);
        time.add(SearchQuery.parse(null, year + "-03-01/" + year + "-03-31", null, null, 100));
        coll.add(SearchQuery.parse(null, null, List.of(String.format(Locale.ROOT, "ds-%04d", rnd.nextInt(collections))), null, 100));
      }
      for (var e : Map.of("bbox", bbox, "text", text, "datetime", time, "collection", coll).entrySet()) {
        double[] ms = measure(s, e.getValue());
        print("search_" + e.getKey() + "_ms_median", median(ms));
        print("search_" + e.getKey() + "_ms_p95", percentile(ms, 0.95));
      }
      double[] json = new double[20];
      for (int i = 0; i < json.length; i++) {
        long a = System.nanoTime();
        s.items(s.search(text.get(i)).hits().subList(0, 1), null);
        json[i] = (System.nanoTime() - a) / 1e6;
      }
      print("search_text_plus_first_item_json_ms_median", median(json));
    }
  }

  private static double[] measure(CatalogSearch s, List<SearchQuery> qs) {
    for (int i = 0; i < 10; i++) s.search(qs.get(i)); // warm up
    double[] ms = new double[qs.size() - 10];
    long hits = 0;
    for (int i = 10; i < qs.size(); i++) {
      long a = System.nanoTime();
      hits += s.search(qs.get(i)).matched();
      ms[i - 10] = (System.nanoTime() - a) / 1e6;
    }
    System.err.println("  " + ms.length + " queries, " + hits + " hits in all");
    return ms;
  }

  /** N items in the shape ItemFactory gives, linked and collected like Catalog does, written with the static JSON. */
  static void generate(Path dir, Catalog cat, int n, int collections) throws Exception {
    Path template = TestBuilds.write(dir.resolve("builds/template"), TestBuilds.Spec.of("template", "1.0.0", TestBuilds.OTTAWA));
    ObjectNode base = ItemFactory.build(template, cat.dir(), ItemFactory.Options.DEFAULTS).item();
    Random rnd = new Random(42);
    Map<String, List<ObjectNode>> byCollection = new TreeMap<>();
    int perCollection = (n + collections - 1) / collections;
    for (int i = 0; i < n; i++) {
      String c = String.format(Locale.ROOT, "ds-%04d", i / perCollection);
      String version = (i % perCollection + 1) + ".0.0";
      double w = -180 + rnd.nextDouble() * 350;
      double s = -85 + rnd.nextDouble() * 160;
      double e = Math.min(180, w + 0.1 + rnd.nextDouble() * 10);
      double no = Math.min(85, s + 0.1 + rnd.nextDouble() * 10);
      ObjectNode item = base.deepCopy();
      item.put("id", ItemFactory.itemId(c, version));
      item.put("collection", c);
      item.set("geometry", GeoJson.toJson(GeoJson.factory().toGeometry(new org.locationtech.jts.geom.Envelope(w, e, s, no))));
      ArrayNode bb = item.putArray("bbox");
      bb.add(w).add(s).add(e).add(no);
      ObjectNode p = (ObjectNode) item.get("properties");
      String w1 = WORDS[rnd.nextInt(WORDS.length)];
      String w2 = WORDS[rnd.nextInt(WORDS.length)];
      p.put("title", "Dataset " + c + " " + w1 + " " + version);
      p.put("description", "Generated " + w1 + " and " + w2 + " for the catalog benchmark.");
      p.putArray("keywords").add(w1).add(w2).add(c);
      p.put("version", version);
      p.put("datetime", CatalogParquet.formatInstant(java.time.Instant.ofEpochSecond(946_684_800L + rnd.nextInt(25 * 365) * 86_400L)));
      for (var a : ItemFactory.iterable(item.get("assets"))) {
        String file = a.getValue().path("href").asText().replaceFirst(".*/", "");
        ((ObjectNode) a.getValue()).put("href", "https://data.example.org/" + c + "/" + version + "/" + file);
      }
      byCollection.computeIfAbsent(c, k -> new ArrayList<>()).add((ObjectNode) CanonicalJson.toTree(item));
    }
    List<ObjectNode> rows = new ArrayList<>();
    Map<String, ObjectNode> cols = new TreeMap<>();
    for (var e : byCollection.entrySet()) {
      List<ObjectNode> linked = CatalogLinks.link(e.getValue());
      rows.addAll(linked);
      cols.put(e.getKey(), CatalogLinks.collection(e.getKey(), linked));
      Path latest = cat.dir().resolve(CatalogLinks.latestPath(e.getKey()));
      Files.createDirectories(latest.getParent());
      Files.write(latest, StaticCatalog.bytes(CatalogLinks.latestPointer(e.getKey(), CatalogLinks.latest(linked)), CatalogLinks.latestPath(e.getKey())));
      Files.write(cat.dir().resolve(CatalogLinks.collectionPath(e.getKey())),
          StaticCatalog.bytes(CatalogLinks.withItemLinks(cols.get(e.getKey()), linked), CatalogLinks.collectionPath(e.getKey())));
    }
    rows.sort(Comparator.comparing((ObjectNode i) -> i.path("collection").asText()).thenComparing(i -> i.path("id").asText()));
    IntStream.range(0, rows.size()).parallel().forEach(i -> {
      ObjectNode item = rows.get(i);
      String path = CatalogLinks.itemPath(item.path("collection").asText(), item.path("id").asText());
      try {
        Path f = cat.dir().resolve(path);
        Files.createDirectories(f.getParent());
        Files.write(f, StaticCatalog.bytes(item, path));
      } catch (java.io.IOException x) {
        throw new java.io.UncheckedIOException(x);
      }
    });
    Files.write(cat.dir().resolve(CatalogLinks.ROOT_FILE), StaticCatalog.bytes(CatalogLinks.rootCatalog(cols), CatalogLinks.ROOT_FILE));
    CatalogParquet.write(cat.parquetFile(), rows, cols);
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static double median(double[] v) {
    return percentile(v, 0.5);
  }

  private static double percentile(double[] v, double p) {
    double[] s = v.clone();
    Arrays.sort(s);
    return Math.round(s[(int) Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10.0;
  }

  private static void print(String key, Object value) {
    System.out.println(key + " " + value);
  }
}
