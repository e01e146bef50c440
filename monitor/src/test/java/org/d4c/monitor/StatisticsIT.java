package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.d4c.catalog.Catalog;
import org.d4c.core.hash.Hashing;
import org.d4c.monitor.probe.Prober;
import org.d4c.monitor.store.StatisticsItem;
import org.d4c.testing.FaultServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily statistics become a catalog item: after the first round of a new UTC day, the previous day's probes are a
 * dataset version {@code status-SITE} / {@code YYYY.M.D} (the probes' day, not the day it is written) in the
 * statistics catalog, with sha256 checksums. DuckDB, reading the files on its own, finds every probe of that day and
 * the GeoParquet metadata; the checksums in the item are the files'.
 */
class StatisticsIT {
  @TempDir Path tmp;

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override public Instant instant() {
      return now;
    }
  }

  @Test
  void yesterdaysProbesAreACatalogItem() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer mirror = new FaultServer(dir)) {
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("m", new AbstractMap.SimpleEntry<>(dir, mirror.base()));
      String item = Published.publish(catalog, mirrors, "wetlands", "1.0.0", 100_000, 9).id();
      Path stats = tmp.resolve("stats-catalog");
      MovableClock clock = new MovableClock(Instant.parse("2026-03-04T22:00:00Z"));
      MonitorConfig cfg = new MonitorConfig(catalog.toString(), "ottawa", 1, List.of(), Map.of("m", mirror.base()), Map.of(),
          tmp.resolve("data"), tmp.resolve("out"), List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), MonitorIT.TEST_POLICY,
          clock, null, 100).withStatsCatalog(stats);
      try (Monitor m = new Monitor(cfg)) {
        m.loadCatalog();
        m.runRound();
        clock.now = Instant.parse("2026-03-04T23:30:00Z");
        m.runRound();
        assertThat("nothing for a day that is not over", Files.exists(stats.resolve("catalog.parquet")), is(false));
        long probesOfDay = m.history().count("probes");
        clock.now = Instant.parse("2026-03-05T00:10:00Z");
        m.runRound();

        String id = "status-ottawa-2026.3.4";
        ObjectNode it = Catalog.at(stats).item(id);
        assertThat("the statistics item " + id, it, notNullValue());
        assertThat(it.path("collection").asText(), is(StatisticsItem.dataset("ottawa")));
        assertThat(it.path("properties").path("datetime").asText(), containsString("2026-03-04"));
        Path probes = null;
        Path coverage = null;
        for (var a : (Iterable<Map.Entry<String, JsonNode>>) it.path("assets")::fields) {
          String href = a.getValue().path("href").asText();
          Path f = stats.resolve(href).normalize();
          if (href.endsWith(StatisticsItem.PROBES)) probes = f;
          if (href.endsWith(StatisticsItem.COVERAGE)) coverage = f;
          if (href.endsWith(".parquet")) {
            assertThat(href, a.getValue().path("file:checksum").asText(), is("1220" + Hashing.sha256(f)));
            assertThat(a.getValue().path("file:size").asLong(), is(Files.size(f)));
          }
        }
        assertThat(probes, notNullValue());
        assertThat(coverage, notNullValue());

        // DuckDB as the independent reader.
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement s = db.createStatement()) {
          ResultSet r = s.executeQuery("SELECT count(*), min(ts), max(ts), count(DISTINCT round), min(site), max(site),"
              + " sum(CASE WHEN state = 'verified' THEN 1 ELSE 0 END) FROM read_parquet('" + probes + "')");
          r.next();
          assertThat(r.getLong(1), is(probesOfDay));
          assertThat(r.getLong(1), greaterThan(0L));
          assertThat(r.getTimestamp(2).toInstant().isBefore(Instant.parse("2026-03-04T00:00:00Z")), is(false));
          assertThat(r.getTimestamp(3).toInstant().isBefore(Instant.parse("2026-03-05T00:00:00Z")), is(true));
          assertThat(r.getLong(4), is(2L));
          assertThat(r.getString(5), is("ottawa"));
          assertThat(r.getLong(7), is(r.getLong(1)));
          r = s.executeQuery("SELECT item, probes, uptime, bbox.xmin, bbox.ymax, octet_length(geometry) FROM read_parquet('" + coverage + "')");
          r.next();
          assertThat(r.getString(1), is(item));
          assertThat(r.getLong(2), is(probesOfDay));
          assertThat(r.getDouble(3), is(1.0));
          assertThat(r.getDouble(4), is(-76.0));
          assertThat(r.getDouble(5), is(45.5));
          assertThat(r.getInt(6), is(93)); // a WKB polygon of one closed ring of five points
          r = s.executeQuery("SELECT value FROM parquet_kv_metadata('" + coverage + "') WHERE key = 'geo'");
          assertThat(r.next(), is(true));
          assertThat(new String(r.getBytes(1), java.nio.charset.StandardCharsets.UTF_8), containsString("\"covering\""));
        }
        // A later round the same day adds nothing again; the catalog keeps one version.
        clock.now = Instant.parse("2026-03-05T00:20:00Z");
        m.runRound();
        assertThat(Catalog.at(stats).read().items().size(), is(1));
      }
    }
  }
}
