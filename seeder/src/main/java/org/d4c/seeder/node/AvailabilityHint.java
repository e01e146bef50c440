package org.d4c.seeder.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The optional availability hint a catalog publisher may put next to {@code catalog.parquet}, named
 * {@value #FILE_NAME}. It declares copies the swarm cannot show, e.g. an archive that keeps every piece offline:
 *
 * <pre>{@code
 * {"d4c_availability": 1,
 *  "torrents": {"<v1 info-hash, 40 hex>": {"pieces": 4000, "runs": [[0, 1999, 2], [2000, 3999, 0]]}}}
 * }</pre>
 *
 * <p>Each run is {@code [first piece, last piece (inclusive), extra copies]}; pieces not covered get 0. A hint whose
 * {@code pieces} differs from the torrent's piece count is ignored for that torrent. Hints only add copies: they can
 * make the planner store a piece less eagerly, never drop a piece this node is the last holder of.
 */
public final class AvailabilityHint {
  public static final String FILE_NAME = "availability.json";
  private final Map<String, int[]> copies;

  private AvailabilityHint(Map<String, int[]> copies) {
    this.copies = copies;
  }

  public static AvailabilityHint read(byte[] json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json);
    if (root.path("d4c_availability").asInt(0) != 1) throw new IOException("d4c_availability must be 1");
    Map<String, int[]> out = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("torrents").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String hash = e.getKey().toLowerCase(Locale.ROOT);
      if (!hash.matches("[0-9a-f]{40}")) throw new IOException("torrents key " + e.getKey() + " is not a v1 info-hash");
      int pieces = e.getValue().path("pieces").asInt(-1);
      if (pieces < 0 || pieces > 1 << 24) throw new IOException("torrents." + hash + ".pieces is missing or out of range");
      int[] c = new int[pieces];
      for (JsonNode run : e.getValue().path("runs")) {
        int a = run.path(0).asInt(-1);
        int b = run.path(1).asInt(-1);
        int n = run.path(2).asInt(-1);
        if (a < 0 || b < a || b >= pieces || n < 0) throw new IOException("torrents." + hash + ".runs has a bad run " + run);
        for (int i = a; i <= b; i++) c[i] = n;
      }
      out.put(hash, c);
    }
    return new AvailabilityHint(out);
  }

  /** Extra copies per piece for this torrent, or null when the hint says nothing usable about it. */
  public int[] copies(String infoHash, int numPieces) {
    int[] c = copies.get(infoHash);
    return c == null || c.length != numPieces ? null : c;
  }
}
