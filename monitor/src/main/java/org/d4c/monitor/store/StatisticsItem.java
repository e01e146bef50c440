package org.d4c.monitor.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.catalog.Catalog;
import org.d4c.catalog.ItemFactory;
import org.d4c.core.D4cVersion;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;

/**
 * One UTC day of a probe site's statistics as a dataset version of its own: dataset {@code status-<site>}, version
 * {@code YYYY.M.D} (2026.3.4) of the day the probes were made (not the day it is written). The build folder holds
 * {@code probes.parquet} (every probe of the day, a plain Parquet table), {@code coverage.parquet} (GeoParquet 1.1: one
 * row per dataset probed that day, its catalog bbox as the geometry, with its probe counts, which gives the item its
 * footprint) and a manifest with the sha256 of each; it is then added to a catalog like any build, so the statistics
 * are found, checksummed and mirrored like the data they describe. The same probes always give the same bytes.
 */
public final class StatisticsItem {
  public static final String PROBES = "probes.parquet";
  public static final String COVERAGE = "coverage.parquet";

  private StatisticsItem() {}

  public static String dataset(String site) {
    return "status-" + site;
  }

  /** The day as a semantic version (the catalog's rule: no leading zeros), so versions sort by day: 2026.3.4. */
  public static String version(LocalDate day) {
    return day.getYear() + "." + day.getMonthValue() + "." + day.getDayOfMonth();
  }

  /**
   * Builds the day's folder under {@code buildsDir} from the day's export and adds it to {@code catalogDir}; does
   * nothing when the catalog already has that version, or the day had no probes. Returns the item id, or null.
   *
   * @param export the day's probes as written by {@link History#exportProbes}
   * @param bboxes item id -> [xmin, ymin, xmax, ymax] in OGC:CRS84, from the probed catalog
   */
  public static String add(Path catalogDir, Path buildsDir, String site, LocalDate day, Path export, Map<String, double[]> bboxes) {
    String dataset = dataset(site);
    String version = version(day);
    String id = ItemFactory.itemId(dataset, version);
    Catalog catalog = Catalog.at(catalogDir);
    if (catalog.item(id) != null) return null;
    Path build = buildsDir.resolve(dataset + "-" + version);
    try {
      Path tmp = buildsDir.resolve(dataset + "-" + version + ".part");
      deleteTree(tmp);
      Files.createDirectories(tmp);
      Path probes = tmp.resolve(PROBES);
      Files.copy(export, probes, StandardCopyOption.REPLACE_EXISTING);
      long probeRows;
      long coverageRows;
      try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
        probeRows = count(db, "SELECT count(*) FROM read_parquet('" + sql(probes) + "')");
        if (probeRows == 0) {
          deleteTree(tmp);
          return null;
        }
        coverageRows = writeCoverage(db, probes, tmp.resolve(COVERAGE), bboxes);
      }
      if (coverageRows == 0) {
        deleteTree(tmp);
        return null;
      }
      Recipe recipe = Recipes.parse(recipe(dataset, version, site, day, export), tmp.resolve("recipe.yaml"));
      Map<String, Object> params = new TreeMap<>();
      params.put("crs", "OGC:CRS84");
      params.put("geoparquet_version", "1.1.0");
      params.put("site", site);
      params.put("day", day.toString());
      Manifest m = Manifest.of(recipe, "monitor/" + dataset + ".yaml", code(),
          new Manifest.Environment(Map.of(), Map.of("d4c", D4cVersion.get(), "java", Integer.toString(Runtime.version().feature()))), params,
          List.of(Manifest.OutputFile.of(tmp, tmp.resolve(COVERAGE), coverageRows, Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA),
              Manifest.OutputFile.of(tmp, probes, probeRows, Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA)),
          Manifest.Rejects.NONE);
      Manifests.write(tmp, m);
      deleteTree(build);
      Files.move(tmp, build, StandardCopyOption.ATOMIC_MOVE);
      return catalog.add(build, ItemFactory.Options.DEFAULTS, false).id();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the statistics of " + day + " in " + build + ": " + e.getMessage(), e);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot build the statistics of " + day + ": " + e.getMessage(), e);
    }
  }

  /** One row per probed item: id, probes, verified share, its bbox polygon (WKB) and bbox covering; sorted by item. */
  private static long writeCoverage(Connection db, Path probes, Path out, Map<String, double[]> bboxes) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute("CREATE TEMP TABLE boxes (item VARCHAR, geometry BLOB, xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)");
    }
    double[] all = {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
    try (PreparedStatement p = db.prepareStatement("INSERT INTO boxes VALUES (?,?,?,?,?,?)")) {
      for (Map.Entry<String, double[]> e : new TreeMap<>(bboxes).entrySet()) {
        double[] b = e.getValue();
        p.setString(1, e.getKey());
        p.setBytes(2, polygonWkb(b));
        for (int i = 0; i < 4; i++) p.setDouble(3 + i, b[i]);
        p.addBatch();
      }
      p.executeBatch();
    }
    long n = count(db, "SELECT count(DISTINCT p.item) FROM read_parquet('" + sql(probes) + "') p JOIN boxes b USING (item)");
    if (n == 0) return 0;
    try (Statement s = db.createStatement(); var rs = s.executeQuery("SELECT min(b.xmin), min(b.ymin), max(b.xmax), max(b.ymax) FROM boxes b"
        + " WHERE b.item IN (SELECT item FROM read_parquet('" + sql(probes) + "'))")) {
      rs.next();
      for (int i = 0; i < 4; i++) all[i] = rs.getDouble(i + 1);
    }
    String geo = "{\"version\":\"1.1.0\",\"primary_column\":\"geometry\",\"columns\":{\"geometry\":{\"encoding\":\"WKB\","
        + "\"geometry_types\":[\"Polygon\"],\"crs\":null,\"bbox\":[" + all[0] + "," + all[1] + "," + all[2] + "," + all[3] + "],"
        + "\"covering\":{\"bbox\":{\"xmin\":[\"bbox\",\"xmin\"],\"ymin\":[\"bbox\",\"ymin\"],\"xmax\":[\"bbox\",\"xmax\"],\"ymax\":[\"bbox\",\"ymax\"]}}}}}";
    // crs null would mean "unknown"; GeoParquet's default (absent) is OGC:CRS84, so leave it out.
    geo = geo.replace("\"crs\":null,", "");
    try (Statement s = db.createStatement()) {
      s.execute("COPY (SELECT p.item, count(*)::BIGINT AS probes,"
          + " avg(CASE WHEN p.state IN ('verified','slow','regional') THEN 1.0 ELSE 0.0 END) AS uptime,"
          + " count(DISTINCT p.location)::BIGINT AS locations, any_value(b.geometry) AS geometry,"
          + " {'xmin': any_value(b.xmin), 'ymin': any_value(b.ymin), 'xmax': any_value(b.xmax), 'ymax': any_value(b.ymax)} AS bbox"
          + " FROM read_parquet('" + sql(probes) + "') p JOIN boxes b USING (item) GROUP BY p.item ORDER BY p.item)"
          + " TO '" + sql(out) + "' (FORMAT PARQUET, COMPRESSION ZSTD, KV_METADATA {geo: '" + geo.replace("'", "''") + "'})");
    }
    return n;
  }

  /** A bbox as a closed, counter-clockwise WKB polygon (little-endian). */
  static byte[] polygonWkb(double[] b) {
    ByteBuffer w = ByteBuffer.allocate(1 + 4 + 4 + 4 + 5 * 16).order(ByteOrder.LITTLE_ENDIAN);
    w.put((byte) 1).putInt(3).putInt(1).putInt(5);
    double[][] ring = {{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}};
    for (double[] c : ring) w.putDouble(c[0]).putDouble(c[1]);
    return w.array();
  }

  private static String recipe(String dataset, String version, String site, LocalDate day, Path export) throws IOException {
    return "dataset: " + dataset + "\nversion: " + version + "\ntitle: Status probes of site " + site + ", " + day + "\n"
        + "description: Every byte-verified probe the d4c status service at site " + site + " made on " + day
        + " (UTC), one row per location x dataset x round, with state, latency and throughput; and per dataset probed, its"
        + " footprint with the day's probe count and uptime. No IP addresses.\n"
        + "license: CC0-1.0\ncrs: OGC:CRS84\ndatetime: " + day + "\n"
        + "keywords: [status, monitoring, availability]\nproviders:\n  - name: d4c status service (" + site + ")\n    roles: [producer]\n"
        + "sources:\n  - id: probes\n    urls: [stats/" + export.getFileName() + "]\n    sha256: " + Hashing.sha256(export) + "\n    size: " + Files.size(export) + "\n"
        + "outputs:\n  - name: coverage\n    source: probes\n  - name: probes\n    source: probes\n";
  }

  private static CodeVersion code() {
    try {
      return CodeVersion.detect(Path.of(System.getProperty("d4c.home", ".")));
    } catch (RuntimeException e) {
      return new CodeVersion(CodeVersion.UNKNOWN, false, null);
    }
  }

  private static long count(Connection db, String sql) throws SQLException {
    try (Statement s = db.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String sql(Path p) {
    return p.toAbsolutePath().toString().replace("'", "''");
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
