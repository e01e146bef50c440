package org.d4c.catalog;

import static org.d4c.testing.TestBuilds.CANADA;
import static org.d4c.testing.TestBuilds.OTTAWA;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.d4c.testing.TestBuilds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stac-geoparquet catalog written by another writer with each codec parquet-java reads (DuckDB rewrites d4c's
 * catalog.parquet, keeping its file metadata): the reader the seeder and {@code catalog search} use reads the same
 * items from every one. pyarrow and the stac-geoparquet package write SNAPPY by default.
 */
class CatalogCodecsIT {
  @TempDir static Path tmp;
  static Catalog cat;
  static List<ObjectNode> items;

  @BeforeAll
  static void setUp() throws Exception {
    cat = Catalog.at(tmp.resolve("cat"));
    for (TestBuilds.Spec s : List.of(TestBuilds.Spec.of("alpha", "1.0.0", CANADA, OTTAWA), TestBuilds.Spec.of("alpha", "1.1.0", OTTAWA))) {
      cat.add(TestBuilds.write(tmp.resolve("builds").resolve(s.dataset() + "-" + s.version()), s), ItemFactory.Options.DEFAULTS, false);
    }
    items = cat.read().items();
  }

  @ParameterizedTest
  @ValueSource(strings = {"SNAPPY", "GZIP", "ZSTD", "LZ4_RAW", "UNCOMPRESSED"})
  void aCatalogWrittenWithEachCodecReadsTheSameItems(String codec) throws Exception {
    Path out = tmp.resolve("catalog-" + codec + ".parquet");
    String src = "'" + cat.parquetFile() + "'";
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
      Map<String, String> kv = new TreeMap<>();
      try (ResultSet rs = st.executeQuery("SELECT decode(key), decode(value) FROM parquet_kv_metadata(" + src + ")")) {
        while (rs.next()) kv.put(rs.getString(1), rs.getString(2));
      }
      StringBuilder meta = new StringBuilder();
      kv.forEach((k, v) -> meta.append(meta.length() == 0 ? "" : ", ").append('"').append(k).append("\": '")
          .append(v.replace("'", "''")).append('\''));
      st.execute("COPY (SELECT * FROM read_parquet(" + src + ")) TO '" + out + "' (FORMAT parquet, COMPRESSION '"
          + codec.toLowerCase(java.util.Locale.ROOT) + "', KV_METADATA {" + meta + "})");
      try (ResultSet rs = st.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('" + out + "')")) {
        rs.next();
        assertThat("DuckDB wrote the codec asked for", CompressionCodecName.valueOf(rs.getString(1)).name(), is(codec));
      }
    }
    CatalogParquet.Contents read = CatalogParquet.read(out);
    assertThat(read.items(), is(items));
    assertThat(read.collections().keySet(), is(java.util.Set.of("alpha")));
  }
}
