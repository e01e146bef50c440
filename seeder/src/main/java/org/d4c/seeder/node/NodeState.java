package org.d4c.seeder.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What the node keeps across restarts, in {@code DATA/.d4c-seeder/}: {@code node-id} (a random UUID made once: the
 * node's identity in status), {@code state.json} (per info-hash the pieces held and the pieces planned, as base64
 * little-endian bitsets) and {@code torrents/} (the verified .torrent files). Every write is atomic (a temporary file
 * in the same folder, then a rename).
 */
public final class NodeState {
  public static final String DIR = ".d4c-seeder";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  /** Held and planned pieces of one torrent. */
  public record Pieces(String itemId, BitSet held, BitSet planned) {}

  private NodeState() {}

  public static String nodeId(Path dataDir) {
    Path f = dataDir.resolve(DIR).resolve("node-id");
    try {
      if (Files.isRegularFile(f)) {
        String id = Files.readString(f).strip();
        if (id.matches("[0-9a-f-]{36}")) return id;
      }
      String id = UUID.randomUUID().toString();
      writeAtomically(f, (id + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + f, e);
    }
  }

  public static void save(Path dataDir, String mode, long budget, Map<String, Pieces> pieces) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    root.put("mode", mode);
    root.put("budget", budget);
    ObjectNode ts = root.putObject("torrents");
    for (Map.Entry<String, Pieces> e : new TreeMap<>(pieces).entrySet()) {
      ObjectNode t = ts.putObject(e.getKey());
      t.put("item_id", e.getValue().itemId());
      t.put("held", Base64.getEncoder().encodeToString(e.getValue().held().toByteArray()));
      t.put("planned", Base64.getEncoder().encodeToString(e.getValue().planned().toByteArray()));
    }
    try {
      writeAtomically(dataDir.resolve(DIR).resolve("state.json"), JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the seeder state in " + dataDir.resolve(DIR), e);
    }
  }

  /** The saved pieces by info-hash; empty when there is no state (first start) or it cannot be read (reported). */
  public static Map<String, Pieces> load(Path dataDir) throws IOException {
    Path f = dataDir.resolve(DIR).resolve("state.json");
    Map<String, Pieces> out = new TreeMap<>();
    if (!Files.isRegularFile(f)) return out;
    var root = JSON.readTree(f.toFile());
    for (var it = root.path("torrents").fields(); it.hasNext(); ) {
      var e = it.next();
      out.put(e.getKey(), new Pieces(e.getValue().path("item_id").asText(e.getKey()), BitSet.valueOf(Base64.getDecoder().decode(e.getValue().path("held").asText(""))),
          BitSet.valueOf(Base64.getDecoder().decode(e.getValue().path("planned").asText("")))));
    }
    return out;
  }

  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
