package org.d4c.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.d4c.core.json.CanonicalJson;
import org.d4c.catalog.Catalog;
import org.d4c.catalog.CatalogException;
import org.d4c.catalog.CatalogSearch;
import org.d4c.catalog.CatalogSource;
import org.d4c.catalog.CatalogValidator;
import org.d4c.catalog.ItemFactory;
import org.d4c.catalog.SearchQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "catalog", mixinStandardHelpOptions = true,
    description = {"Keeps the STAC catalog of built dataset versions: add, validate, search.",
        "%nA catalog folder holds catalog.parquet (stac-geoparquet: one row per dataset version, the collections in"
            + " its metadata) and the same catalog as static STAC JSON (catalog.json, one collection.json and"
            + " latest.json per dataset, one item JSON per version) for STAC Browser and pystac.%n"},
    subcommands = {CatalogCommand.Add.class, CatalogCommand.Validate.class, CatalogCommand.Search.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Examples:", "  ./d4c catalog add out/ca-provinces --catalog out/catalog",
        "  ./d4c catalog validate out/catalog",
        "  ./d4c catalog search --catalog out/catalog --bbox -80,43,-79,44 --datetime 2023/..",
        "  ./d4c catalog search --catalog https://data.example.org/catalog/ --q provinces --format json"})
public final class CatalogCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Adds (or updates) built dataset versions to a catalog.",
          "%nEach DIR is a folder made by `d4c build`: its files are checked against its manifest.json first and a"
              + " folder that does not match is refused. The version becomes the STAC item <dataset>-<version> in the"
              + " collection <dataset>. Adding the same build again only updates it (a DOI or mirrors recorded earlier"
              + " are kept); a different build under the same dataset and version is refused unless --replace. Data"
              + " is not copied: assets point at the build folder, by default through a relative path from the"
              + " catalog folder, or under --href-base. Nothing changes when anything fails.%n"},
      footer = {"", "Examples:", "  ./d4c catalog add out/ca-provinces --catalog out/catalog",
          "  ./d4c catalog add out/ca-provinces --catalog site/catalog \\",
          "      --href-base 'https://data.example.org/{dataset}/{version}/'",
          "  ./d4c catalog add out/ca-provinces --doi 10.5281/zenodo.1234567 --citation 'Natural Earth (2023) ...'"})
  static final class Add implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Build folders (with manifest.json) to add.")
    List<Path> dirs;

    @Option(names = "--catalog", defaultValue = "out/catalog", paramLabel = "CAT",
        description = "The catalog folder; created when missing (default: ${DEFAULT-VALUE}).")
    Path catalog;

    @Option(names = "--href-base", paramLabel = "URL",
        description = "Where the build's files are published, e.g. https://host/{dataset}/{version}/ ({dataset} and"
            + " {version} are filled in). Default: the relative path from the catalog folder to DIR.")
    String hrefBase;

    @Option(names = "--doi", paramLabel = "DOI", description = "DOI of this version (sets sci:doi and a cite-as link).")
    String doi;

    @Option(names = "--citation", paramLabel = "TEXT", description = "Recommended citation (sci:citation).")
    String citation;

    @Option(names = "--replace", description = "Allow a different build to replace a version already in the catalog.")
    boolean replace;

    @Override
    public Integer call() {
      ItemFactory.Options options = new ItemFactory.Options(hrefBase, doi, citation);
      Catalog cat = Catalog.at(catalog);
      for (Path dir : dirs) {
        Catalog.AddResult r = cat.add(dir, options, replace);
        System.out.println(r.summary());
        System.out.println("  item: " + r.itemFile());
      }
      System.out.println("  catalog: " + cat.parquetFile() + " (+ " + cat.dir().resolve("catalog.json") + ")");
      return 0;
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = {"Checks a catalog against STAC 1.1.0, its extensions, GeoParquet 1.1.0 and stac-geoparquet.",
          "%nEvery item and collection in catalog.parquet is checked against the STAC schemas and the schemas of the"
              + " extensions it declares (all shipped with d4c: no network needed), the file metadata against the"
              + " GeoParquet and stac-geoparquet schemas, and every static JSON file must be exactly what"
              + " catalog.parquet gives. CAT is a folder or the http(s):// or s3:// URL of a published catalog."
              + " Exits 0 when valid, 2 when not.%n"},
      footer = {"", "Examples:", "  ./d4c catalog validate out/catalog",
          "  ./d4c catalog validate out/catalog --assets --checksums",
          "  ./d4c catalog validate https://data.example.org/catalog/",
          "  D4C_S3_ENDPOINT=http://127.0.0.1:9000 ./d4c catalog validate s3://bucket/catalog/"})
  static final class Validate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAT", description = "The catalog: a folder, or an http(s):// or s3:// URL.")
    String catalog;

    @Option(names = "--assets", description = "Also check that local asset files exist with their file:size.")
    boolean assets;

    @Option(names = "--checksums", description = "With --assets: also hash every asset against its file:checksum.")
    boolean checksums;

    @Override
    public Integer call() {
      try (CatalogSource src = CatalogSource.open(catalog)) {
        CatalogValidator.Report r = CatalogValidator.validate(src, assets || checksums, checksums);
        System.out.println(r.text());
        return r.ok() ? 0 : D4c.BAD_INPUT;
      }
    }
  }

  @Command(name = "search", mixinStandardHelpOptions = true,
      description = {"Finds dataset versions in a catalog by place, time, collection and text.",
          "%nFilters combine (all must match). --bbox W,S,E,N (degrees; W > E crosses the antimeridian) must"
              + " intersect the item's footprint; --datetime is an instant, a date (a whole UTC day), a year, or"
              + " START/END with .. for an open end, and must overlap the item's time; --collection takes one or more"
              + " dataset ids; --q is free text over id, title, description and keywords: space-separated terms must"
              + " all appear, comma-separated groups are alternatives, \"quotes\" keep a phrase. Results come in"
              + " collection then version order, as a table or as a STAC ItemCollection (GeoJSON) with hrefs made"
              + " absolute.%n"},
      footer = {"", "Examples:", "  ./d4c catalog search --catalog out/catalog --bbox -80,43,-79,44",
          "  ./d4c catalog search --datetime 2023-01-01/2023-12-31 --collection ca-provinces",
          "  ./d4c catalog search --q 'provinces canada, \"natural earth\"' --format json",
          "  ./d4c catalog search --catalog https://data.example.org/catalog/ --bbox 170,-50,-170,-30"})
  static final class Search implements Callable<Integer> {
    @Option(names = "--catalog", defaultValue = "out/catalog", paramLabel = "CAT",
        description = "The catalog: a folder, or an http(s):// or s3:// URL (default: ${DEFAULT-VALUE}).")
    String catalog;

    @Option(names = "--bbox", paramLabel = "W,S,E,N", description = "Intersects this box (OGC:CRS84 degrees).")
    String bbox;

    @Option(names = "--datetime", paramLabel = "RANGE", description = "Overlaps this time: 2023-02-03, 2023, START/END, START/.., ../END.")
    String datetime;

    @Option(names = "--collection", paramLabel = "ID", split = ",", description = "In one of these collections (repeat or comma-separate).")
    List<String> collections = new ArrayList<>();

    @Option(names = "--q", paramLabel = "TEXT", description = "Free text (see above).")
    String q;

    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT", description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--limit", defaultValue = "" + SearchQuery.DEFAULT_LIMIT, paramLabel = "N", description = "At most N results (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      String fmt = format.toLowerCase(Locale.ROOT);
      if (!fmt.equals("table") && !fmt.equals("json")) throw new CatalogException("--format", "expected table or json, got \"" + format + "\"");
      SearchQuery query = SearchQuery.parse(bbox, datetime, collections, q, limit);
      try (CatalogSource src = CatalogSource.open(catalog); CatalogSearch search = CatalogSearch.open(src.parquet())) {
        CatalogSearch.Result r = search.search(query);
        if (fmt.equals("json")) {
          System.out.print(CanonicalJson.toString(itemCollection(search.items(r.hits(), src.baseUri()), r.matched())));
        } else {
          System.out.print(table(r));
        }
        return 0;
      }
    }
  }

  static ObjectNode itemCollection(List<ObjectNode> items, long matched) {
    ObjectNode fc = JsonNodeFactory.instance.objectNode();
    fc.put("type", "FeatureCollection");
    ArrayNode features = fc.putArray("features");
    items.forEach(features::add);
    fc.put("numberMatched", matched);
    fc.put("numberReturned", items.size());
    return fc;
  }

  /** A plain-text table of the hits; its last line says how many matched. */
  public static String table(CatalogSearch.Result r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"id", "collection", "version", "datetime", "bbox (W,S,E,N)", "title"});
    for (CatalogSearch.Hit h : r.hits()) {
      double[] b = h.bbox();
      rows.add(new String[] {h.id(), h.collection(), String.valueOf(h.version()), h.datetime(),
          b == null ? "-" : String.format(Locale.ROOT, "%.3f,%.3f,%.3f,%.3f", b[0], b[1], b[2], b[3]), // null geometry
          String.valueOf(h.title())});
    }
    int[] w = new int[6];
    for (String[] row : rows) for (int i = 0; i < 6; i++) w[i] = Math.max(w[i], row[i].length());
    StringBuilder sb = new StringBuilder();
    if (!r.hits().isEmpty()) {
      for (String[] row : rows) {
        for (int i = 0; i < 6; i++) sb.append(i == 5 ? row[i] : String.format(Locale.ROOT, "%-" + w[i] + "s  ", row[i]));
        sb.append('\n');
      }
    }
    sb.append(r.matched()).append(r.matched() == 1 ? " item matches" : " items match");
    if (r.matched() > r.hits().size()) sb.append(" (showing the first ").append(r.hits().size()).append("; use --limit)");
    return sb.append('\n').toString();
  }
}
