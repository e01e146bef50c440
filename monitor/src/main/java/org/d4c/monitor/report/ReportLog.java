package org.d4c.monitor.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import org.d4c.catalog.status.StatusSignature;
import org.d4c.core.hash.Hashing;
import org.d4c.core.io.AtomicFiles;
import org.d4c.core.json.CanonicalJson;

/**
 * The append-only log of every report and verdict ({@value #LOG}, one JSON object a line): each line carries its
 * sequence number, the hash of the line before it and its own hash, {@code sha256(prev + "\n" + canonical entry)},
 * so dropping or editing a line breaks the chain. {@value #CHECKPOINT} signs the head (Ed25519) and is rewritten
 * after each append batch; a mirror that keeps old checkpoints can prove a later log still contains what it vouched
 * for. Both are static files, published beside status.json.
 */
public final class ReportLog {
  public static final String LOG = "reports.log.jsonl";
  public static final String CHECKPOINT = "reports.checkpoint.json";
  public static final String GENESIS = "0".repeat(64);
  private static final ObjectMapper LINE = CanonicalJson.mapper().copy().disable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final KeyPair key;
  private long seq;
  private String head = GENESIS;

  public ReportLog(Path dir, KeyPair key) {
    this.dir = dir;
    this.key = key;
    try {
      Files.createDirectories(dir);
      Path log = dir.resolve(LOG);
      if (Files.exists(log)) {
        Verified v = verify(log);
        seq = v.entries();
        head = v.head();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the report log in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Appends an entry and returns its sequence number once it is on disk. Appenders that arrive while another forces
   * the file share its fsync (group commit): one fsync per batch, not per report.
   */
  public long append(ObjectNode entry) {
    long n;
    synchronized (this) {
      n = seq + 1;
      String hash = Hashing.sha256((head + "\n" + CanonicalJson.toString(entry).strip()).getBytes(StandardCharsets.UTF_8));
      ObjectNode line = JsonNodeFactory.instance.objectNode();
      line.put("seq", n).put("prev", head).put("hash", hash).set("entry", entry);
      try {
        if (channel == null) channel = FileChannel.open(dir.resolve(LOG), StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap((LINE.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) channel.write(b);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to the report log: " + e.getMessage(), e);
      }
      seq = n;
      head = hash;
    }
    syncUpTo(n);
    return n;
  }

  private FileChannel channel;
  private final Object syncLock = new Object();
  private volatile long synced;

  private void syncUpTo(long n) {
    synchronized (syncLock) {
      if (synced >= n) return;
      long target;
      FileChannel ch;
      synchronized (this) {
        target = seq;
        ch = channel;
      }
      try {
        ch.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot sync the report log: " + e.getMessage(), e);
      }
      synced = target;
    }
  }

  public synchronized void close() {
    try {
      if (channel != null) channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  /** Writes the signed checkpoint of the current head. */
  public synchronized ObjectNode checkpoint(String generated) {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    c.put("log", LOG).put("entries", seq).put("head", head).put("generated", generated);
    StatusSignature.sign(c, key);
    AtomicFiles.write(dir.resolve(CHECKPOINT), CanonicalJson.toBytes(c));
    return c;
  }

  public synchronized long entries() {
    return seq;
  }

  public synchronized String head() {
    return head;
  }

  public record Verified(long entries, String head) {}

  /** Re-computes the whole chain; throws naming the first line that breaks it. */
  public static Verified verify(Path log) throws IOException {
    String prev = GENESIS;
    long n = 0;
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    for (String l : lines) {
      if (l.isBlank()) continue;
      JsonNode line = CanonicalJson.mapper().readTree(l);
      n++;
      if (line.path("seq").asLong() != n) throw new IllegalStateException(log + ": line " + n + " has seq " + line.path("seq").asLong());
      if (!prev.equals(line.path("prev").asText())) throw new IllegalStateException(log + ": line " + n + " does not follow the line before it");
      String hash = Hashing.sha256((prev + "\n" + CanonicalJson.toString(line.get("entry")).strip()).getBytes(StandardCharsets.UTF_8));
      if (!hash.equals(line.path("hash").asText())) throw new IllegalStateException(log + ": line " + n + " was altered (hash mismatch)");
      prev = hash;
    }
    return new Verified(n, prev);
  }

  /** Checks a checkpoint's signature and that the log holds its head at its position. */
  public static boolean verifyCheckpoint(Path checkpoint, Path log, PublicKey key) throws IOException {
    ObjectNode c = (ObjectNode) CanonicalJson.mapper().readTree(Files.readAllBytes(checkpoint));
    if (!StatusSignature.verify(c, key)) return false;
    long entries = c.path("entries").asLong();
    String prev = GENESIS;
    long n = 0;
    for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      if (n == entries) break;
      if (l.isBlank()) continue;
      prev = CanonicalJson.mapper().readTree(l).path("hash").asText();
      n++;
    }
    return n == entries && prev.equals(c.path("head").asText()) && verify(log).entries() >= entries;
  }
}
