package org.d4c.catalog;

import static org.d4c.testing.TestBuilds.OTTAWA;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.d4c.testing.TestBuilds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog holding an item of tables only (null geometry) beside spatial items, read by DuckDB and searched: a
 * spatial filter never matches the null-geometry item, a query without one does.
 */
class CatalogTablesIT {
  @TempDir
  static Path tmp;

  static Catalog cat;

  @BeforeAll
  static void setUp() throws Exception {
    cat = Catalog.at(tmp.resolve("cat"));
    cat.add(TestBuilds.write(tmp.resolve("a1"), TestBuilds.Spec.of("alpha", "1.0.0", OTTAWA)), ItemFactory.Options.DEFAULTS, false);
    cat.add(CatalogTablesTest.tablesBuild(tmp.resolve("census"), "census", "1.0.0", "", false), ItemFactory.Options.DEFAULTS, false);
    cat.add(CatalogTablesTest.tablesBuild(tmp.resolve("census-ca"), "census-ca", "1.0.0",
        "footprint: {bbox: [-141.01, 41.67, -52.6, 83.11]}\n", false), ItemFactory.Options.DEFAULTS, false);
  }

  @AfterAll
  static void done() {
    cat = null;
  }

  @Test
  void duckDbReadsTheNullGeometryAsNullWkbAndANullBboxStruct() throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, geometry IS NULL, bbox IS NULL, bbox.xmin, octet_length(geometry)"
            + " FROM read_parquet('" + cat.parquetFile() + "') ORDER BY id")) {
      while (rs.next()) rows.add(List.of(rs.getString(1), rs.getString(2), rs.getString(3), String.valueOf(rs.getString(4)),
          String.valueOf(rs.getString(5))));
    }
    assertThat(rows, equalTo(List.of(
        List.of("alpha-1.0.0", "false", "false", "-76.0", "93"),
        List.of("census-1.0.0", "true", "true", "null", "null"),
        List.of("census-ca-1.0.0", "false", "false", "-141.01", "93"))));
  }

  private static List<String> ids(CatalogSearch.Result r) {
    return r.hits().stream().map(CatalogSearch.Hit::id).toList();
  }

  @Test
  void aSpatialQueryNeverMatchesANullGeometryAndOneWithoutDoes() {
    try (CatalogSearch search = CatalogSearch.open(cat.parquetFile())) {
      CatalogSearch.Result all = search.search(SearchQuery.all());
      assertThat(ids(all), contains("alpha-1.0.0", "census-1.0.0", "census-ca-1.0.0"));
      assertThat(all.hits().get(1).bbox(), is(nullValue()));
      assertThat(ids(search.search(SearchQuery.parse(null, null, null, "census", 10))), contains("census-1.0.0", "census-ca-1.0.0"));
      assertThat(ids(search.search(SearchQuery.parse("-180,-90,180,90", null, null, null, 10))), contains("alpha-1.0.0", "census-ca-1.0.0"));
      assertThat(ids(search.search(SearchQuery.parse("-100,50,-90,60", null, null, null, 10))), contains("census-ca-1.0.0"));
      assertThat(ids(search.search(SearchQuery.parse("170,-90,-170,90", null, null, "census", 10))), is(List.of()));
      // The full item of a hit comes back with its null geometry.
      assertThat(search.items(List.of(all.hits().get(1)), null).get(0).get("geometry").isNull(), is(true));
    }
  }
}
