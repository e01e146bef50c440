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
        synced = seq;
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
    return append(entry, true);
  }

  /**
   * Appends an entry; with {@code durable} false it does not wait for the disk: the next durable append or
   * {@link #checkpoint} syncs it. Verdicts use that: a lost verdict is decided again, a lost report is not.
   */
  public long append(ObjectNode entry, boolean durable) {
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
    if (durable) syncUpTo(n);
    return n;
  }

  private final java.util.concurrent.atomic.AtomicLong syncs = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong syncNanos = new java.util.concurrent.atomic.AtomicLong();

  /** How often the log was forced to disk, and the time that took (seconds), since it was opened. */
  public long syncs() {
    return syncs.get();
  }

  public double syncSeconds() {
    return syncNanos.get() / 1e9;
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
      if (ch == null) return;
      long t0 = System.nanoTime();
      try {
        ch.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot sync the report log: " + e.getMessage(), e);
      }
      syncs.incrementAndGet();
      syncNanos.addAndGet(System.nanoTime() - t0);
      synced = target;
    }
  }

  private record Waiter(long seq, java.util.concurrent.CompletableFuture<Long> done) {}

  private final Object waitLock = new Object();
  private final java.util.ArrayDeque<Waiter> waiters = new java.util.ArrayDeque<>();
  private Thread syncer;
  private boolean closing;

  /**
   * Appends an entry now and completes the future with its sequence number once it is on disk. No caller waits on a
   * thread for the disk: one syncing thread forces the file for every entry written before it started (group
   * commit), so a burst of reports costs a few fsyncs, and a web server's threads stay free while they wait.
   */
  public Appended appendAsync(ObjectNode entry) {
    long n = append(entry, false);
    java.util.concurrent.CompletableFuture<Long> f = new java.util.concurrent.CompletableFuture<>();
    synchronized (waitLock) {
      if (closing) throw new IllegalStateException("the report log is closed");
      waiters.add(new Waiter(n, f));
      if (syncer == null) {
        syncer = new Thread(this::syncLoop, "report-log-sync");
        syncer.setDaemon(true);
        syncer.start();
      }
      waitLock.notifyAll();
    }
    return new Appended(n, f);
  }

  /** An entry's sequence number, and a future completed once the entry is on disk. */
  public record Appended(long seq, java.util.concurrent.CompletableFuture<Long> onDisk) {}

  private void syncLoop() {
    while (true) {
      java.util.List<Waiter> batch;
      synchronized (waitLock) {
        while (waiters.isEmpty() && !closing) {
          try {
            waitLock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (waiters.isEmpty()) return;
        batch = new java.util.ArrayList<>(waiters);
        waiters.clear();
      }
      long max = batch.stream().mapToLong(Waiter::seq).max().orElse(0);
      try {
        syncUpTo(max);
        for (Waiter w : batch) w.done().complete(w.seq());
      } catch (RuntimeException e) {
        for (Waiter w : batch) w.done().completeExceptionally(e);
      }
    }
  }

  public void close() {
    Thread t;
    synchronized (waitLock) {
      closing = true;
      t = syncer;
      waitLock.notifyAll();
    }
    if (t != null) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeChannel();
  }

  private synchronized void closeChannel() {
    try {
      if (channel != null) {
        channel.force(false);
        channel.close();
      }
    } catch (IOException ignored) {
      // closing
    }
  }

  /** Writes the signed checkpoint of the current head. */
  public ObjectNode checkpoint(String generated) {
    long n;
    synchronized (this) {
      n = seq;
    }
    // The checkpoint vouches only for lines on disk.
    if (n > 0) syncUpTo(n);
    return writeCheckpoint(generated);
  }

  private synchronized ObjectNode writeCheckpoint(String generated) {
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
