package org.d4c.publisher.mirror;

import java.nio.file.Path;
import java.util.List;
import org.d4c.core.progress.Progress;

/**
 * One place a release is published to. {@link #publish} uploads what is not there yet (publishing twice uploads
 * nothing) and checks every file back; {@link #verify} reads the mirror's copy again and compares it with the release.
 */
public interface Mirror extends AutoCloseable {
  MirrorFile.Config config();

  default String id() {
    return config().id();
  }

  /** Where anyone reads {@code file} of {@code release} over HTTP, or null when the mirror has no public URL. */
  String url(Release release, ReleaseFile file);

  /** A BEP 19 web seed for the release's torrent (the parent of its root folder), or null. */
  default String webSeed(Release release) {
    return null;
  }

  /** Uploads the files missing or different, checks them back, and says per file what happened. */
  Report publish(Release release, Progress progress);

  /** Reads every file of the release back from the mirror and compares it with the release. */
  Report verify(Release release, Progress progress);

  /** Publishes the catalog folder's files (name relative to {@code dir}); only mirrors that take the catalog. */
  default Report publishCatalog(Path dir, List<ReleaseFile> files, Progress progress) {
    throw new MirrorException("mirror " + id(), "does not take the catalog");
  }

  @Override
  default void close() {}

  /** What happened to one file. */
  enum Outcome {
    UPLOADED("uploaded"), ALREADY_THERE("already there"), VERIFIED("verified"), PENDING("pending"),
    MISSING("missing"), CORRUPT("corrupt"), FAILED("failed");

    private final String words;

    Outcome(String words) {
      this.words = words;
    }

    public boolean bad() {
      return this == MISSING || this == CORRUPT || this == FAILED;
    }

    @Override
    public String toString() {
      return words;
    }
  }

  /** One file's result: what happened, its URL, and a detail (the checksum checked, or what is wrong). */
  record FileResult(String name, Outcome outcome, long bytes, String url, String detail) {}

  /** A mirror's results, in file order; {@code extra} holds what the mirror assigned (a DOI, a record id). */
  record Report(String mirror, List<FileResult> files, java.util.Map<String, String> extra) {
    public Report {
      files = List.copyOf(files);
      extra = extra == null ? java.util.Map.of() : java.util.Map.copyOf(extra);
    }

    public boolean ok() {
      return files.stream().noneMatch(f -> f.outcome().bad());
    }

    /** One line per file: {@code mirror  outcome  name  detail}. */
    public String text() {
      StringBuilder sb = new StringBuilder();
      for (FileResult f : files) {
        sb.append(String.format("%-10s %-14s %s  %s%n", mirror, f.outcome(), f.name(), f.detail() == null ? "" : f.detail()));
      }
      return sb.toString();
    }

    public long count(Outcome o) {
      return files.stream().filter(f -> f.outcome() == o).count();
    }

    public long bytes(Outcome o) {
      return files.stream().filter(f -> f.outcome() == o).mapToLong(FileResult::bytes).sum();
    }
  }
}
