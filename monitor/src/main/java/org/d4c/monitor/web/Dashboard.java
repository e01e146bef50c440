package org.d4c.monitor.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.d4c.monitor.Monitor;

/**
 * The dashboard: one HTML page rendered on the server from the signed status, so the core table (every location and
 * dataset with its state, uptime bar, latency, throughput, open incidents, recent reports) reads without JavaScript
 * and on a phone. With JavaScript, {@code dashboard.js} draws latency and throughput charts with uPlot (vendored
 * from npm by the build). The same page is written as static files by {@code d4c monitor --export-dashboard}.
 */
public final class Dashboard {
  private Dashboard() {}

  public static String html(Monitor m, String assets, String historyUrl) {
    ObjectNode s = m.status();
    StringBuilder b = new StringBuilder(16384);
    b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>d4c status</title>")
        .append("<link rel=\"stylesheet\" href=\"").append(assets).append("dashboard.css\">")
        .append("<link rel=\"stylesheet\" href=\"").append(assets).append("uPlot.min.css\">")
        .append("</head><body>\n<header><h1>d4c storage status</h1>");
    if (s == null) {
      b.append("<p>No probe round has finished yet. This page refreshes when one has.</p></header></body></html>\n");
      return b.toString();
    }
    JsonNode mon = s.path("monitor");
    b.append("<p class=\"meta\">Round ").append(s.path("round").asLong()).append(" at <time>").append(esc(s.path("generated").asText()))
        .append("</time> · probe site <b>").append(esc(mon.path("site").asText())).append("</b> · sites ")
        .append(esc(join(mon.path("sites")))).append(" · quorum ").append(mon.path("quorum").asInt())
        .append(" · <a href=\"status.json\">status.json</a> (signed)</p></header>\n<main>\n");

    b.append("<section><h2>Locations</h2><div class=\"scroll\"><table id=\"locations\"><thead><tr><th>Location</th><th>Kind</th><th>State</th>")
        .append("<th>Verified items</th><th>Uptime 24 h</th><th>Latency p50</th><th>Throughput p50</th></tr></thead><tbody>\n");
    for (JsonNode l : s.path("locations")) {
      String id = l.path("id").asText();
      double up = l.path("uptime_24h").isNumber() ? l.path("uptime_24h").asDouble() : -1;
      b.append("<tr data-location=\"").append(esc(id)).append("\"><th scope=\"row\">").append(esc(id)).append("</th><td>")
          .append(esc(l.path("kind").asText())).append("</td><td>").append(badge(l.path("state").asText())).append("</td><td>")
          .append(l.path("verified").asInt()).append(" / ").append(l.path("items").asInt()).append("</td><td>")
          .append(up < 0 ? "–" : "<span class=\"bar\"><span style=\"width:" + Math.round(up * 100) + "%\"></span></span> " + Math.round(up * 1000) / 10.0 + "%")
          .append("</td><td>").append(ms(l.path("latency_ms_p50"))).append("</td><td>").append(rate(l.path("throughput_bps_p50"))).append("</td></tr>\n");
    }
    b.append("</tbody></table></div></section>\n");

    b.append("<section><h2>Datasets</h2><div class=\"scroll\"><table id=\"items\"><thead><tr><th>Dataset</th><th>Location</th><th>State</th>")
        .append("<th>Route</th><th>Latency</th><th>Throughput</th><th>Sites</th><th>Detail</th></tr></thead><tbody>\n");
    for (JsonNode i : s.path("items")) {
      for (JsonNode l : i.path("locations")) {
        StringBuilder sites = new StringBuilder();
        l.path("sites").fields().forEachRemaining(e -> sites.append(sites.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue().asText()));
        b.append("<tr data-item=\"").append(esc(i.path("id").asText())).append("\" data-location=\"").append(esc(l.path("location").asText()))
            .append("\" data-state=\"").append(esc(l.path("state").asText())).append("\"><th scope=\"row\">").append(esc(i.path("id").asText()))
            .append("</th><td>").append(esc(l.path("location").asText())).append("</td><td>").append(badge(l.path("state").asText()))
            .append("</td><td>").append(l.path("routable").asBoolean() ? "yes" : "<b>no</b>").append("</td><td>").append(ms(l.path("latency_ms")))
            .append("</td><td>").append(rate(l.path("throughput_bps"))).append("</td><td>").append(esc(sites.toString()))
            .append("</td><td class=\"detail\">").append(esc(l.path("detail").asText(""))).append("</td></tr>\n");
      }
    }
    b.append("</tbody></table></div></section>\n");

    b.append("<section><h2>Open incidents</h2>");
    if (s.path("incidents").isEmpty()) b.append("<p id=\"incidents\">None.</p>");
    else {
      b.append("<ul id=\"incidents\">");
      for (JsonNode x : s.path("incidents")) {
        b.append("<li>").append(badge(x.path("state").asText())).append(" <b>").append(esc(x.path("location").asText())).append("</b> · ")
            .append(esc(x.path("item").asText())).append(" · since ").append(esc(x.path("opened").asText())).append(" · ")
            .append(esc(x.path("summary").asText(""))).append("</li>");
      }
      b.append("</ul>");
    }
    b.append("</section>\n<section><h2>Recent reports</h2>");
    List<Map<String, Object>> reports = m.history().recentReports(20);
    if (reports.isEmpty()) b.append("<p>None. Report a problem with <code>./d4c report ITEM --location ID --problem corrupt</code>.</p>");
    else {
      b.append("<div class=\"scroll\"><table id=\"reports\"><thead><tr><th>#</th><th>Dataset</th><th>Location</th><th>Problem</th><th>Verdict</th></tr></thead><tbody>");
      for (Map<String, Object> r : reports) {
        b.append("<tr><td>").append(r.get("seq")).append("</td><td>").append(esc(String.valueOf(r.get("item")))).append("</td><td>")
            .append(esc(String.valueOf(r.get("location")))).append("</td><td>").append(esc(String.valueOf(r.get("problem")))).append("</td><td>")
            .append(esc(String.valueOf(r.get("verdict")))).append("</td></tr>");
      }
      b.append("</tbody></table></div>");
    }
    b.append("<p>The report log is hash-chained and signed: <a href=\"reports.log.jsonl\">log</a>, <a href=\"reports.checkpoint.json\">checkpoint</a>.</p></section>\n");
    b.append("<section><h2>Latency and throughput</h2><p class=\"nojs\">Charts need JavaScript; the tables above hold the same figures.</p>")
        .append("<div id=\"latency-chart\" class=\"chart\"></div><div id=\"throughput-chart\" class=\"chart\"></div></section>\n")
        .append("</main>\n<script src=\"").append(assets).append("uPlot.iife.min.js\"></script>\n<script src=\"").append(assets)
        .append("dashboard.js\" data-history=\"").append(esc(historyUrl)).append("\"></script>\n</body></html>\n");
    return b.toString();
  }

  private static String join(JsonNode arr) {
    StringBuilder b = new StringBuilder();
    for (JsonNode x : arr) b.append(b.length() == 0 ? "" : ", ").append(x.asText());
    return b.toString();
  }

  private static String badge(String state) {
    return "<span class=\"state " + esc(state) + "\">" + esc(state) + "</span>";
  }

  private static String ms(JsonNode n) {
    return n.isNumber() ? String.format("%.1f ms", n.asDouble()) : "–";
  }

  private static String rate(JsonNode n) {
    if (!n.isNumber()) return "–";
    double v = n.asDouble();
    return v >= 1e6 ? String.format("%.1f MB/s", v / 1e6) : String.format("%.0f kB/s", v / 1e3);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
