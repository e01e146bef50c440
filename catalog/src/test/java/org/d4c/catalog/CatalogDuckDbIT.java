package org.d4c.catalog;
import org.d4c.testing.TestBuilds;

import static org.d4c.testing.TestBuilds.CANADA;
import static org.d4c.testing.TestBuilds.NZ;
import static org.d4c.testing.TestBuilds.OTTAWA;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.core.json.CanonicalJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * catalog.parquet read by an independent reader, DuckDB: rows, column types, the {@code geo} and
 * {@code stac-geoparquet} keys, geometry and timestamps; search by bbox, datetime, collection and text; and a
 * catalog published over HTTP (and as s3:// through an endpoint) validated and searched from its URL.
 */
class CatalogDuckDbIT {
  @TempDir
  static Path tmp;

  static Catalog cat;
  static Connection duck;
  static HttpServer http;
  static String pq;

  @BeforeAll
  static void setUp() throws Exception {
    cat = Catalog.at(tmp.resolve("cat"));
    for (TestBuilds.Spec s : List.of(TestBuilds.Spec.of("alpha", "1.0.0", CANADA, OTTAWA), TestBuilds.Spec.of("alpha", "1.1.0", OTTAWA),
        TestBuilds.Spec.of("beta", "2.0.0", NZ).withTime("start_datetime: 2020-01-01\nend_datetime: 2020-12-31"))) {
      cat.add(TestBuilds.write(tmp.resolve("builds").resolve(s.dataset() + "-" + s.version()), s), ItemFactory.Options.DEFAULTS, false);
    }
    pq = "'" + cat.parquetFile() + "'";
    duck = DriverManager.getConnection("jdbc:duckdb:");
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", ex -> {
      Path f = tmp.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
      if (!f.startsWith(tmp) || !Files.isRegularFile(f)) {
        ex.sendResponseHeaders(404, -1);
      } else {
        byte[] b = Files.readAllBytes(f);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
      }
      ex.close();
    });
    http.start();
  }

  @AfterAll
  static void tearDown() throws Exception {
    duck.close();
    http.stop(0);
  }

  private static List<List<String>> query(String sql) throws Exception {
    List<List<String>> out = new ArrayList<>();
    try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) row.add(rs.getString(i));
        out.add(row);
      }
    }
    return out;
  }

  @Test
  void duckDbReadsRowsColumnsAndMetadata() throws Exception {
    assertThat(query("SELECT count(*) FROM read_parquet(" + pq + ")").get(0).get(0), is("3"));
    Map<String, String> types = new TreeMap<>();
    for (List<String> r : query("DESCRIBE SELECT * FROM read_parquet(" + pq + ")")) types.put(r.get(0), r.get(1));
    assertThat(types, hasEntry("id", "VARCHAR"));
    assertThat(types, hasEntry("collection", "VARCHAR"));
    assertThat(types, hasEntry("geometry", "BLOB"));
    assertThat(types, hasEntry("bbox", "STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)"));
    assertThat(types, hasEntry("stac_extensions", "VARCHAR[]"));
    assertThat(types, hasEntry("datetime", "TIMESTAMP WITH TIME ZONE"));
    assertThat(types, hasEntry("start_datetime", "TIMESTAMP WITH TIME ZONE"));
    assertThat(types.get("links"), containsString("STRUCT("));
    assertThat(types.get("links"), containsString("[]"));
    assertThat(types.get("assets"), containsString("\"data\" STRUCT("));
    assertThat(types.get("assets"), containsString("\"file:checksum\" VARCHAR"));

    Map<String, String> kv = new TreeMap<>();
    for (List<String> r : query("SELECT decode(key), decode(value) FROM parquet_kv_metadata(" + pq + ")")) kv.put(r.get(0), r.get(1));
    JsonNode meta = CanonicalJson.mapper().readTree(kv.get("stac-geoparquet"));
    assertThat(meta.path("version").asText(), is("1.0.0"));
    assertThat(meta.path("collections").path("alpha").path("type").asText(), is("Collection"));
    assertThat(meta.path("collections").path("beta").path("id").asText(), is("beta"));
    JsonNode geo = CanonicalJson.mapper().readTree(kv.get("geo"));
    assertThat(geo.path("columns").path("geometry").path("covering").path("bbox").path("xmin").toString(), is("[\"bbox\",\"xmin\"]"));
    assertThat(StacSchemas.geoMetadata(geo), is(empty()));
    assertThat(StacSchemas.stacGeoparquetMetadata(meta), is(empty()));

    // Values as DuckDB sees them equal the items.
    List<List<String>> rows = query("SELECT id, collection, epoch_us(datetime), epoch_us(end_datetime), \"version\","
        + " assets.data.\"file:checksum\", bbox.xmin, len(links), stac_extensions[1] FROM read_parquet(" + pq + ")");
    assertThat(rows.stream().map(r -> r.get(0)).toList(), contains("alpha-1.0.0", "alpha-1.1.0", "beta-2.0.0"));
    assertThat(rows.get(0).get(2), is("1675382400000000"));
    assertThat(rows.get(2).get(2), is((String) null));
    assertThat(rows.get(2).get(3), is("1609459199000000"));
    assertThat(rows.get(1).get(4), is("1.1.0"));
    List<ObjectNode> items = cat.read().items();
    for (int i = 0; i < 3; i++) {
      assertThat(rows.get(i).get(5), is(items.get(i).path("assets").path("data").path("file:checksum").asText()));
      assertThat(Double.parseDouble(rows.get(i).get(6)), is(items.get(i).path("bbox").get(0).asDouble()));
      assertThat(rows.get(i).get(8), is(Stac.FILE_EXT));
    }
    try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery("SELECT geometry FROM read_parquet(" + pq + ") ORDER BY id")) {
      for (int i = 0; rs.next(); i++) {
        assertThat(GeoJson.fromWkb(rs.getBytes(1), "duckdb").equalsExact(GeoJson.fromJson(items.get(i).get("geometry"), "item")), is(true));
      }
    }
  }

  private static List<String> ids(CatalogSearch s, String bbox, String datetime, List<String> collections, String q) {
    return s.search(SearchQuery.parse(bbox, datetime, collections, q, 100)).hits().stream().map(CatalogSearch.Hit::id).toList();
  }

  @Test
  void searchFindsItemsByBboxDatetimeCollectionAndText() {
    try (CatalogSearch s = CatalogSearch.open(cat.parquetFile())) {
      assertThat(ids(s, "-75.9,45.1,-75.8,45.2", null, null, null), contains("alpha-1.0.0", "alpha-1.1.0"));
      assertThat(ids(s, "-120,50,-119,51", null, null, null), contains("alpha-1.0.0"));
      assertThat(ids(s, "170,-40,-170,-30", null, null, null), contains("beta-2.0.0")); // across the antimeridian
      assertThat(ids(s, "0,0,1,1", null, null, null), is(empty()));
      assertThat(ids(s, null, "2020-06-01", null, null), contains("beta-2.0.0"));
      assertThat(ids(s, null, "2023-02-03T00:00:00Z", null, null), contains("alpha-1.0.0", "alpha-1.1.0"));
      assertThat(ids(s, null, "../2019-12-31", null, null), is(empty()));
      assertThat(ids(s, null, "2020-12-31/..", null, null), contains("alpha-1.0.0", "alpha-1.1.0", "beta-2.0.0"));
      assertThat(ids(s, null, null, List.of("beta"), null), contains("beta-2.0.0"));
      assertThat(ids(s, null, null, null, "ALPHA 1.1.0"), contains("alpha-1.1.0"));
      assertThat(ids(s, null, null, null, "nothing, beta"), contains("beta-2.0.0"));
      assertThat(ids(s, null, null, null, "\"boxes for the catalog\""), contains("alpha-1.0.0", "alpha-1.1.0", "beta-2.0.0"));
      assertThat(ids(s, "-80,40,-70,50", "2023", List.of("alpha"), "test"), contains("alpha-1.0.0", "alpha-1.1.0"));
      CatalogSearch.Result r = s.search(SearchQuery.parse(null, null, null, null, 1));
      assertThat(r.matched(), is(3L));
      assertThat(r.hits().size(), is(1));
      List<ObjectNode> full = s.items(s.search(SearchQuery.parse(null, null, List.of("beta"), null, 5)).hits(), "https://h.example/cat/");
      assertThat(full.get(0).path("assets").path("data").path("href").asText(), is("https://h.example/builds/beta-2.0.0/data.parquet"));
    }
  }

  @Test
  void aPublishedCatalogIsValidatedAndSearchedFromItsUrl() {
    int port = http.getAddress().getPort();
    for (String location : List.of("http://127.0.0.1:" + port + "/cat/", "http://127.0.0.1:" + port + "/cat/catalog.parquet")) {
      try (CatalogSource src = CatalogSource.open(location)) {
        CatalogValidator.Report r = CatalogValidator.validate(src, false, false);
        assertThat(r.text(), r.ok(), is(true));
        assertThat(r.files(), is(1 + 2 * 2 + 3));
        try (CatalogSearch s = CatalogSearch.open(src.parquet())) {
          assertThat(ids(s, null, null, List.of("alpha"), null), contains("alpha-1.0.0", "alpha-1.1.0"));
        }
      }
    }
    try (CatalogSource src = CatalogSource.open("s3://cat/", "http://127.0.0.1:" + port)) {
      assertThat(CatalogValidator.validate(src, false, false).ok(), is(true));
    }
    try (CatalogSource src = CatalogSource.open("http://127.0.0.1:" + port + "/nothing-here/")) {
      CatalogValidator.Report r = CatalogValidator.validate(src, false, false);
      assertThat(r.ok(), is(false));
    } catch (CatalogException e) {
      assertThat(e.getMessage(), containsString("no catalog.parquet"));
    }
  }
}
