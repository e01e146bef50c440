package org.d4c.monitor.publish;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;
import org.d4c.core.hash.Hashing;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.mirror.ReleaseFile;
import org.d4c.publisher.publish.Mirrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirrors of the publisher's mirror file that take the catalog ({@code catalog: true}), S3 or folders: the monitor
 * pushes what it publishes (status.json, the status keys, the report log and its checkpoint, the statistics) beside
 * the catalog there, through the publisher's own {@link Mirror}s, so the state stays readable when the monitor is down.
 * A file is sent again only when its bytes changed since the last push here; the mirror checks each upload back by
 * its sha256. A failing mirror is logged and tried again next round; it never stops a round.
 */
public final class StatusMirrors implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusMirrors.class);

  private final List<Mirror> mirrors;
  /** mirror id -> file name -> sha256 last pushed. */
  private final Map<String, Map<String, String>> pushed = new HashMap<>();
  private final Map<String, String> lastError = new HashMap<>();

  private StatusMirrors(List<Mirror> mirrors) {
    this.mirrors = List.copyOf(mirrors);
  }

  /**
   * Reads the mirror file and opens its catalog mirrors. Refuses (exit 2, naming the file) a file that cannot be read
   * or breaks its schema, and one with no catalog mirror (none would get anything).
   *
   * @param stateDir where S3 uploads keep their resumable state
   */
  public static StatusMirrors load(Path file, Credentials credentials, Path stateDir) {
    List<MirrorFile.Config> all = MirrorFile.load(file);
    List<MirrorFile.Config> takers = all.stream().filter(MirrorFile.Config::takesCatalog).toList();
    if (takers.isEmpty()) {
      throw new D4cException(ExitCode.BAD_INPUT, file + ": no mirror takes the catalog; mark the S3 or local mirrors that should get"
          + " status.json with `catalog: true` (the file has " + String.join(", ", all.stream().map(MirrorFile.Config::id).toList()) + ")");
    }
    List<Mirror> opened = new ArrayList<>();
    try {
      for (MirrorFile.Config c : takers) opened.add(Mirrors.open(c, credentials, stateDir));
    } catch (RuntimeException e) {
      opened.forEach(Mirror::close);
      throw e;
    }
    return new StatusMirrors(opened);
  }

  public List<String> ids() {
    return mirrors.stream().map(Mirror::id).toList();
  }

  /** The last error per mirror id (empty when every push succeeded). */
  public synchronized Map<String, String> errors() {
    return Map.copyOf(lastError);
  }

  /**
   * Pushes the files of {@code dir} named in {@code names} ('/'-separated, relative) that exist, to every mirror, as
   * {@code catalog/<name>}; returns how many files were sent.
   */
  public synchronized int push(Path dir, List<String> names) {
    List<ReleaseFile> files = new ArrayList<>();
    for (String n : names) {
      Path p = dir.resolve(n);
      if (!Files.isRegularFile(p)) continue;
      try {
        files.add(new ReleaseFile(n, p, Files.size(p), Hashing.sha256(p), mediaType(n)));
      } catch (java.io.IOException e) {
        LOG.warn("cannot read {} to publish it: {}", p, e.getMessage());
      }
    }
    int sent = 0;
    for (Mirror m : mirrors) {
      Map<String, String> done = pushed.computeIfAbsent(m.id(), k -> new HashMap<>());
      List<ReleaseFile> changed = files.stream().filter(f -> !f.sha256().equals(done.get(f.name()))).toList();
      if (changed.isEmpty()) continue;
      try {
        Mirror.Report r = m.publishCatalog(dir, changed, Progress.NONE);
        for (Mirror.FileResult f : r.files()) {
          if (f.outcome().bad()) continue;
          changed.stream().filter(c -> c.name().equals(f.name())).findFirst().ifPresent(c -> done.put(c.name(), c.sha256()));
        }
        sent += (int) r.count(Mirror.Outcome.UPLOADED);
        if (r.ok()) lastError.remove(m.id());
        else lastError.put(m.id(), r.text().strip());
      } catch (RuntimeException e) {
        lastError.put(m.id(), D4cException.messageOf(e));
        LOG.warn("cannot publish to mirror {}: {} (next round tries again)", m.id(), D4cException.messageOf(e));
      }
    }
    return sent;
  }

  static String mediaType(String name) {
    if (name.endsWith(".json")) return "application/json";
    if (name.endsWith(".jsonl")) return "application/x-ndjson";
    if (name.endsWith(".parquet")) return "application/vnd.apache.parquet";
    return "application/octet-stream";
  }

  @Override
  public void close() {
    mirrors.forEach(Mirror::close);
  }
}
