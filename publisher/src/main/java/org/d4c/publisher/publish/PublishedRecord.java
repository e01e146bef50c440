package org.d4c.publisher.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.d4c.core.json.CanonicalJson;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.mirror.MirrorException;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.torrent.TorrentMaker;

/**
 * {@code .d4c-publish/published.json}: what earlier publish runs of this build left where (per mirror and file, the
 * URL), its DOIs and info-hash. {@code verify} reads the DOI from it; a run with {@code --only} keeps the other
 * mirrors' entries. Canonical JSON, no times: the same publish gives the same file.
 */
final class PublishedRecord {
  static final String FILE = "published.json";

  private PublishedRecord() {}

  static ObjectNode read(Path work) {
    Path f = work.resolve(FILE);
    if (!Files.isRegularFile(f)) return CanonicalJson.mapper().createObjectNode();
    try {
      JsonNode n = CanonicalJson.mapper().readTree(f.toFile());
      if (!(n instanceof ObjectNode o)) throw new MirrorException(f.toString(), "expected a JSON object; delete the file to start over");
      return o;
    } catch (IOException e) {
      throw new MirrorException(f.toString(), "not readable JSON (" + e.getMessage() + "); delete the file to start over");
    }
  }

  static void write(Path work, Release release, String doi, String conceptDoi, TorrentMaker.Result torrent,
      java.util.List<Mirror.Report> reports) {
    ObjectNode o = read(work);
    o.put("dataset", release.dataset());
    o.put("version", release.version());
    if (doi != null) o.put("doi", doi);
    if (conceptDoi != null) o.put("concept_doi", conceptDoi);
    o.put("infohash", torrent.infoHashV1());
    ObjectNode mirrors = o.has("mirrors") ? (ObjectNode) o.get("mirrors") : o.putObject("mirrors");
    for (Mirror.Report r : reports) {
      ObjectNode m = mirrors.putObject(r.mirror());
      for (Mirror.FileResult f : r.files()) {
        ObjectNode e = m.putObject(f.name()).put("outcome", f.outcome().name().toLowerCase(java.util.Locale.ROOT));
        if (f.url() != null) e.put("url", f.url());
      }
      r.extra().forEach((k, v) -> m.put("_" + k, v));
    }
    CanonicalJson.write(work.resolve(FILE), o);
  }

  /** The version DOI an earlier run recorded, or null. */
  static String doi(Path work) {
    return read(work).path("doi").asText(null);
  }
}
