package org.d4c.monitor.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.d4c.monitor.probe.Prober;

/**
 * The monitor's history in an embedded DuckDB database: every probe result, every report with its verdict, the
 * incidents and the Smart Nodes' traffic samples. No IP address is stored. One connection, used under this object's
 * lock (DuckDB serialises writers anyway); every write is one statement or one transaction, so a crash leaves no
 * half-written report.
 */
public final class History implements AutoCloseable {
  private final Connection db;

  public History(Path file) {
    try {
      Class.forName("org.duckdb.DuckDBDriver");
      db = DriverManager.getConnection("jdbc:duckdb:" + (file == null ? "" : file.toAbsolutePath()));
      try (Statement s = db.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS probes (site VARCHAR, round BIGINT, ts TIMESTAMP, location VARCHAR, item VARCHAR,"
            + " state VARCHAR, latency_ms DOUBLE, throughput_bps DOUBLE, bytes BIGINT, requests INTEGER, detail VARCHAR)");
        s.execute("CREATE TABLE IF NOT EXISTS reports (id VARCHAR PRIMARY KEY, seq BIGINT, received TIMESTAMP, item VARCHAR,"
            + " location VARCHAR, file VARCHAR, range_from BIGINT, range_to BIGINT, problem VARCHAR, expected_sha256 VARCHAR,"
            + " observed_sha256 VARCHAR, http_status INTEGER, elapsed_ms DOUBLE, verdict VARCHAR, verdict_detail VARCHAR)");
        s.execute("CREATE TABLE IF NOT EXISTS incidents (id VARCHAR PRIMARY KEY, location VARCHAR, item VARCHAR, state VARCHAR,"
            + " opened TIMESTAMP, closed TIMESTAMP, reports INTEGER, summary VARCHAR)");
        s.execute("CREATE TABLE IF NOT EXISTS traffic (ts TIMESTAMP, node VARCHAR, uploaded BIGINT, downloaded BIGINT,"
            + " upload_rate DOUBLE, download_rate DOUBLE, peers INTEGER)");
      }
      for (Map<String, Object> r : query("SELECT * FROM reports ORDER BY seq DESC LIMIT " + RECENT)) {
        Report x = new Report((String) r.get("id"), ((Number) r.get("seq")).longValue(), ((Timestamp) r.get("received")).toInstant(),
            (String) r.get("item"), (String) r.get("location"), (String) r.get("file"), longOrNull(r.get("range_from")),
            longOrNull(r.get("range_to")), (String) r.get("problem"), (String) r.get("expected_sha256"), (String) r.get("observed_sha256"),
            r.get("http_status") == null ? null : ((Number) r.get("http_status")).intValue(),
            r.get("elapsed_ms") == null ? null : ((Number) r.get("elapsed_ms")).doubleValue(), (String) r.get("verdict"), (String) r.get("verdict_detail"));
        recent.put(x.seq(), x);
      }
    } catch (SQLException | ClassNotFoundException e) {
      throw new IllegalStateException("cannot open the history database " + file + ": " + e.getMessage(), e);
    }
  }

  public synchronized void probes(String site, long round, Instant at, List<Prober.Result> results) {
    try (PreparedStatement p = db.prepareStatement("INSERT INTO probes VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
      db.setAutoCommit(false);
      for (Prober.Result r : results) {
        if (r.state() == null) continue;
        p.setString(1, site);
        p.setLong(2, round);
        p.setTimestamp(3, Timestamp.from(at));
        p.setString(4, r.location());
        p.setString(5, r.item());
        p.setString(6, r.state().json());
        setDouble(p, 7, r.latencyMs());
        setDouble(p, 8, r.throughputBps());
        p.setLong(9, r.bytes());
        p.setInt(10, r.requests());
        p.setString(11, r.detail());
        p.addBatch();
      }
      p.executeBatch();
      db.commit();
    } catch (SQLException e) {
      rollback();
      throw new IllegalStateException("cannot store probe results: " + e.getMessage(), e);
    } finally {
      autoCommit();
    }
  }

  public record Report(String id, long seq, Instant received, String item, String location, String file, Long rangeFrom,
      Long rangeTo, String problem, String expectedSha256, String observedSha256, Integer httpStatus, Double elapsedMs,
      String verdict, String verdictDetail) {}

  private final java.util.concurrent.ConcurrentLinkedQueue<Report> pendingReports = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.ScheduledExecutorService flusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "history-flush");
    t.setDaemon(true);
    return t;
  });

  {
    flusher.scheduleWithFixedDelay(() -> {
      try {
        flushReports();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(History.class).warn("cannot store reports: {}", e.getMessage());
      }
    }, 100, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Queues a report (or its verdict, same id) for the store. Reports are written in one transaction per batch
   * (every 100 ms, and before any read): a DuckDB commit per report would cap intake at a few dozen a second. The
   * report log, not this table, is the durable record of what was received.
   */
  public void report(Report r) {
    pendingReports.add(r);
    synchronized (recent) {
      recent.put(r.seq(), r);
      while (recent.size() > RECENT) recent.pollFirstEntry();
    }
  }

  /** How many of the latest reports are also kept in memory, for the dashboard and the API without a query. */
  public static final int RECENT = 500;
  /** seq -> the report's latest version (a verdict replaces the pending one). */
  private final java.util.TreeMap<Long, Report> recent = new java.util.TreeMap<>();

  private static Long longOrNull(Object o) {
    return o == null ? null : ((Number) o).longValue();
  }

  /** Writes the queued reports in one transaction. */
  public synchronized void flushReports() {
    if (pendingReports.isEmpty()) return;
    List<Report> batch = new ArrayList<>();
    for (Report r; (r = pendingReports.poll()) != null; ) batch.add(r);
    try {
      db.setAutoCommit(false);
      // A report and its verdict in one batch: the verdict (written later, same id) wins.
      Map<String, Report> last = new LinkedHashMap<>();
      for (Report r : batch) last.put(r.id(), r);
      writeReports(new ArrayList<>(last.values()));
      db.commit();
    } catch (SQLException | RuntimeException e) {
      rollback();
      pendingReports.addAll(batch);
      throw new IllegalStateException("cannot store " + batch.size() + " reports: " + e.getMessage(), e);
    } finally {
      autoCommit();
    }
  }

  private void writeReports(List<Report> batch) throws SQLException {
    try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      for (Report r : batch) {
        p.setString(1, r.id());
        p.setLong(2, r.seq());
        p.setTimestamp(3, Timestamp.from(r.received()));
        p.setString(4, r.item());
        p.setString(5, r.location());
        p.setString(6, r.file());
        p.setObject(7, r.rangeFrom());
        p.setObject(8, r.rangeTo());
        p.setString(9, r.problem());
        p.setString(10, r.expectedSha256());
        p.setString(11, r.observedSha256());
        p.setObject(12, r.httpStatus());
        p.setObject(13, r.elapsedMs());
        p.setString(14, r.verdict());
        p.setString(15, r.verdictDetail());
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  /**
   * The latest reports, newest first (at most {@link #RECENT}), from memory: the dashboard and {@code /v1/reports}
   * ask for them on every request, and a query would wait behind the batch writer.
   */
  public List<Map<String, Object>> recentReports(int limit) {
    List<Map<String, Object>> out = new ArrayList<>();
    synchronized (recent) {
      for (Report r : recent.descendingMap().values()) {
        if (out.size() >= limit) break;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("seq", r.seq());
        m.put("received", Timestamp.from(r.received()));
        m.put("item", r.item());
        m.put("location", r.location());
        m.put("file", r.file());
        m.put("problem", r.problem());
        m.put("verdict", r.verdict());
        m.put("verdict_detail", r.verdictDetail());
        out.add(m);
      }
    }
    return out;
  }

  /** Every stored report's id and verdict (consistency checks). */
  public synchronized Map<String, String> verdicts() {
    Map<String, String> out = new java.util.TreeMap<>();
    for (Map<String, Object> r : query("SELECT id, verdict FROM reports")) out.put((String) r.get("id"), (String) r.get("verdict"));
    return out;
  }

  public synchronized long count(String table) {
    return ((Number) query("SELECT count(*) AS n FROM " + table).get(0).get("n")).longValue();
  }

  public record Incident(String id, String location, String item, String state, Instant opened, int reports, String summary) {}

  public synchronized void openIncident(Incident i) {
    try (PreparedStatement p = db.prepareStatement("INSERT INTO incidents VALUES (?,?,?,?,?,NULL,?,?) ON CONFLICT (id) DO UPDATE"
        + " SET reports = CASE WHEN incidents.closed IS NULL THEN incidents.reports + 1 ELSE 1 END,"
        + " opened = CASE WHEN incidents.closed IS NULL THEN incidents.opened ELSE excluded.opened END,"
        + " closed = NULL, state = excluded.state, summary = excluded.summary")) {
      p.setString(1, i.id());
      p.setString(2, i.location());
      p.setString(3, i.item());
      p.setString(4, i.state());
      p.setTimestamp(5, Timestamp.from(i.opened()));
      p.setInt(6, i.reports());
      p.setString(7, i.summary());
      p.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store incident " + i.id() + ": " + e.getMessage(), e);
    }
  }

  public synchronized void closeIncident(String id, Instant at) {
    update("UPDATE incidents SET closed = ? WHERE id = ? AND closed IS NULL", Timestamp.from(at), id);
  }

  public synchronized List<Incident> openIncidents() {
    List<Incident> out = new ArrayList<>();
    for (Map<String, Object> r : query("SELECT * FROM incidents WHERE closed IS NULL ORDER BY opened, id")) {
      out.add(new Incident((String) r.get("id"), (String) r.get("location"), (String) r.get("item"), (String) r.get("state"),
          ((Timestamp) r.get("opened")).toInstant(), ((Number) r.get("reports")).intValue(), (String) r.get("summary")));
    }
    return out;
  }

  public synchronized void traffic(Instant at, String node, long uploaded, long downloaded, double upRate, double downRate, int peers) {
    update("INSERT INTO traffic VALUES (?,?,?,?,?,?,?)", Timestamp.from(at), node, uploaded, downloaded, upRate, downRate, peers);
  }

  /** Per location since {@code since}: uptime (share of verified/slow/regional), p50/p95 latency, p50 throughput. */
  public synchronized Map<String, Map<String, Object>> locationStats(Instant since) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map<String, Object> r : query("SELECT location, avg(CASE WHEN state IN ('verified','slow','regional') THEN 1.0 ELSE 0.0 END) AS uptime,"
        + " quantile_cont(latency_ms, 0.5) AS latency_p50, quantile_cont(latency_ms, 0.95) AS latency_p95,"
        + " quantile_cont(throughput_bps, 0.5) AS throughput_p50, count(*) AS probes FROM probes WHERE ts >= ?"
        + " GROUP BY location ORDER BY location", Timestamp.from(since))) {
      out.put((String) r.remove("location"), r);
    }
    return out;
  }

  /** Per location × hour of week (0 = Monday 00h UTC): probes, uptime, median latency and throughput. */
  public synchronized List<Map<String, Object>> hourOfWeek(String location) {
    return query("SELECT location, (isodow(ts) - 1) * 24 + hour(ts) AS hour_of_week, count(*) AS probes,"
        + " avg(CASE WHEN state IN ('verified','slow','regional') THEN 1.0 ELSE 0.0 END) AS uptime,"
        + " quantile_cont(latency_ms, 0.5) AS latency_p50, quantile_cont(throughput_bps, 0.5) AS throughput_p50"
        + " FROM probes WHERE (? IS NULL OR location = ?) GROUP BY ALL ORDER BY location, hour_of_week", location, location);
  }

  /** The Smart Nodes' summed upload rate per hour of week (their traffic load). */
  public synchronized List<Map<String, Object>> trafficByHourOfWeek() {
    return query("SELECT (isodow(ts) - 1) * 24 + hour(ts) AS hour_of_week, avg(upload_rate) AS upload_rate, max(uploaded) AS uploaded"
        + " FROM traffic GROUP BY ALL ORDER BY hour_of_week");
  }

  public synchronized List<Map<String, Object>> latestTraffic() {
    return query("SELECT node, arg_max(uploaded, ts) AS uploaded, arg_max(downloaded, ts) AS downloaded,"
        + " arg_max(upload_rate, ts) AS upload_rate, arg_max(download_rate, ts) AS download_rate, max(ts) AS ts FROM traffic GROUP BY node ORDER BY node");
  }

  /** Probe history of one location (and item, when given), newest first. */
  public synchronized List<Map<String, Object>> probeHistory(String location, String item, int limit) {
    return query("SELECT site, round, ts, location, item, state, latency_ms, throughput_bps, bytes, detail FROM probes"
        + " WHERE (? IS NULL OR location = ?) AND (? IS NULL OR item = ?) ORDER BY ts DESC, location, item LIMIT " + limit,
        location, location, item, item);
  }

  /** Writes the probes of [from, to) as one Parquet file (zstd), for the daily statistics dataset. */
  public synchronized long exportProbes(Instant from, Instant to, Path file) {
    try (PreparedStatement p = db.prepareStatement("COPY (SELECT site, round, ts, location, item, state, latency_ms, throughput_bps, bytes,"
        + " requests, detail FROM probes WHERE ts >= TIMESTAMP '" + Timestamp.from(from) + "' AND ts < TIMESTAMP '" + Timestamp.from(to)
        + "' ORDER BY ts, site, location, item) TO '" + file.toAbsolutePath().toString().replace("'", "''") + "' (FORMAT PARQUET, COMPRESSION ZSTD)")) {
      p.execute();
      return ((Number) query("SELECT count(*) AS n FROM probes WHERE ts >= ? AND ts < ?", Timestamp.from(from), Timestamp.from(to)).get(0).get("n")).longValue();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot export the probes to " + file + ": " + e.getMessage(), e);
    }
  }

  private List<Map<String, Object>> query(String sql, Object... args) {
    flushReports();
    try (PreparedStatement p = db.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) p.setObject(i + 1, args[i]);
      try (ResultSet rs = p.executeQuery()) {
        List<Map<String, Object>> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int c = 1; c <= n; c++) row.put(rs.getMetaData().getColumnLabel(c), rs.getObject(c));
          out.add(row);
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("history query failed: " + e.getMessage(), e);
    }
  }

  private void update(String sql, Object... args) {
    try (PreparedStatement p = db.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) p.setObject(i + 1, args[i]);
      p.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("history update failed: " + e.getMessage(), e);
    }
  }

  private static void setDouble(PreparedStatement p, int i, Double v) throws SQLException {
    if (v == null) p.setNull(i, java.sql.Types.DOUBLE);
    else p.setDouble(i, v);
  }

  private void rollback() {
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // the original error is what matters
    }
  }

  private void autoCommit() {
    try {
      db.setAutoCommit(true);
    } catch (SQLException ignored) {
      // next statement will tell
    }
  }

  @Override
  public synchronized void close() {
    flusher.shutdownNow();
    flushReports();
    try {
      db.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
