package org.d4c.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.d4c.core.error.D4cException;
import org.d4c.core.hash.Hashing;
import org.d4c.core.net.SafeHttp;

/**
 * {@code --report}: every location that served a bad piece is reported to the status monitor ({@code POST /v1/reports})
 * with the evidence: item, location, the file and byte range the piece covers (TO exclusive), the sha256 of the bytes
 * it served there, the piece's expected and observed SHA-1 and how long the request had taken. A report that cannot
 * be sent is a warning, never a failed download.
 */
final class BadPieceReports {
  private BadPieceReports() {}

  /** The report of one bad piece, as the monitor takes it. */
  static ObjectNode body(String item, TorrentLayout layout, HttpSwarm.BadPiece b) {
    long pos = layout.pieceOffset(b.piece());
    TorrentLayout.Span best = null;
    for (TorrentLayout.Span s : layout.spans(pos, layout.pieceSize(b.piece()))) {
      if (layout.files().get(s.file()).pad()) continue;
      if (best == null || s.length() > best.length()) best = s;
    }
    ObjectNode r = JsonNodeFactory.instance.objectNode().put("item", item).put("location", b.location().id()).put("problem", "corrupt");
    String url = b.location().folder();
    if (best != null) {
      TorrentLayout.FileEntry f = layout.files().get(best.file());
      r.put("file", f.path());
      r.putObject("range").put("from", best.offset()).put("to", best.offset() + best.length());
      int at = (int) (f.offset() + best.offset() - pos);
      byte[] served = java.util.Arrays.copyOfRange(b.bytes(), at, at + (int) best.length());
      r.put("observed_sha256", Hashing.sha256(served));
      url += HttpSwarm.path(f.path());
    }
    r.put("elapsed_ms", Math.round(b.elapsedMs() * 10) / 10.0);
    String note = String.format(Locale.ROOT, "d4c get: torrent piece %d (offset %d, %d bytes): SHA-1 expected %s, observed %s; served by %s",
        b.piece(), pos, layout.pieceSize(b.piece()), b.expectedSha1(), b.observedSha1(), url);
    r.put("note", note.length() > 500 ? note.substring(0, 500) : note);
    return r;
  }

  static List<Fetch.ReportSent> send(SafeHttp http, URI monitor, boolean remoteChosen, String item, TorrentLayout layout, List<HttpSwarm.BadPiece> bad) {
    List<Fetch.ReportSent> out = new ArrayList<>();
    URI endpoint = monitor.resolve("/v1/reports");
    ObjectMapper json = new ObjectMapper();
    for (HttpSwarm.BadPiece b : bad) {
      try {
        byte[] body = json.writeValueAsBytes(body(item, layout, b));
        SafeHttp.Posted p = http.post(endpoint, "application/json", body, remoteChosen);
        JsonNode answer = null;
        try {
          answer = json.readTree(p.body());
        } catch (java.io.IOException e) {
          // not JSON: the status says enough
        }
        String id = answer == null ? null : answer.path("id").asText(null);
        String error = p.status() == 202 ? null
            : "HTTP " + p.status() + (answer == null ? "" : ": " + answer.path("error").asText(new String(p.body(), StandardCharsets.UTF_8)));
        out.add(new Fetch.ReportSent(b.location().id(), b.piece(), p.status(), id, error));
      } catch (java.io.IOException | RuntimeException e) {
        out.add(new Fetch.ReportSent(b.location().id(), b.piece(), 0, null, D4cException.messageOf(e)));
      }
    }
    return out;
  }
}
