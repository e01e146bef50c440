package org.d4c.publisher.torrent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.Vectors;
import org.libtorrent4j.swig.create_flags_t;
import org.libtorrent4j.swig.create_torrent;
import org.libtorrent4j.swig.error_code;
import org.libtorrent4j.swig.file_storage;
import org.libtorrent4j.swig.libtorrent;
import org.libtorrent4j.swig.set_piece_hashes_listener;
import org.libtorrent4j.swig.sha1_hash;

/**
 * Makes the one torrent of a dataset version: every output named by the build's {@code manifest.json} plus the
 * manifest itself, under the root folder {@code <dataset>-<version>}, in sorted path order.
 *
 * <ul>
 *   <li>BEP 3 v1 by default; BEP 52 hybrid v1+v2 with {@link #hybrid(boolean)} (libtorrent then orders the files
 *       canonically and inserts BEP 47 {@code .pad} files; aria2c 1.36 mishandles hybrids).</li>
 *   <li>BEP 19 {@code url-list}: every HTTP mirror base given, in the order given, duplicates dropped, each ending
 *       in {@code /}. A base must be the PARENT of the root folder: clients request {@code base + name + "/" + path}.</li>
 *   <li>No {@code creation date} unless {@link #creationDate(long)} is given (e.g. from {@code SOURCE_DATE_EPOCH});
 *       {@code created by} is the fixed string {@value #CREATOR}; {@code comment} names the dataset, version and DOI.
 *       Same files and options give byte-identical .torrent files.</li>
 *   <li>BEP 12 {@code announce-list} from {@link #trackers(List)}; never the private flag (peers may come from DHT
 *       and PEX too).</li>
 *   <li>Piece size: see {@link #pieceSize(long)}.</li>
 * </ul>
 *
 * <p>The bencoding is libtorrent's ({@code create_torrent::generate}). v1 piece hashes are computed here: each of
 * the hashing threads reads the pieces it takes with positional reads and hashes them. For hybrid torrents the hashing
 * is libtorrent's {@code set_piece_hashes}, which is serial (one thread) and reads through a temporary folder of
 * symbolic links named {@code <dataset>-<version>}.
 *
 * <p>Needs the libtorrent4j JNI library: system property {@code libtorrent4j.jni.path} naming
 * {@code libtorrent4j.so} (unpacked from {@code libtorrent4j-linux}).
 */
public final class TorrentMaker {
  /** The smallest piece, 16 KiB (the BitTorrent block size; BEP 52's minimum). */
  public static final int MIN_PIECE_SIZE = 16 * 1024;
  /** The largest piece, 64 MiB; past 4,000 x 64 MiB = 250 GiB the piece count grows instead. */
  public static final int MAX_PIECE_SIZE = 64 * 1024 * 1024;
  /** The most pieces a torrent gets while the piece size can still grow. */
  public static final int MAX_PIECES = 4000;
  public static final String CREATOR = "d4c";
  public static final String EXTENSION = ".torrent";

  private final Path buildDir;
  private final List<String> webSeeds = new ArrayList<>();
  private final List<String> trackers = new ArrayList<>();
  private final java.util.Map<String, Path> extraFiles = new java.util.TreeMap<>();
  private String doi;
  private boolean hybrid;
  private long creationDate;
  private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

  private TorrentMaker(Path buildDir) {
    this.buildDir = Objects.requireNonNull(buildDir, "buildDir");
  }

  /** A maker for the build folder holding {@code manifest.json} and the outputs it lists. */
  public static TorrentMaker of(Path buildDir) {
    return new TorrentMaker(buildDir);
  }

  /** HTTP(S) mirror bases, each the folder that holds {@code <dataset>-<version>/}. */
  public TorrentMaker webSeeds(List<String> bases) {
    for (String b : bases) {
      if (b == null || !(b.startsWith("http://") || b.startsWith("https://"))) {
        throw new IllegalArgumentException("a web seed must be an http(s) URL, got " + b);
      }
      webSeeds.add(b.endsWith("/") ? b : b + "/");
    }
    return this;
  }

  /**
   * Tracker announce URLs ({@code http}, {@code https} or {@code udp}), each in its own tier in the order given
   * (BEP 12 {@code announce-list}; the first is also {@code announce}). None (the default) writes no announce key, so
   * torrents made without trackers keep their bytes.
   */
  public TorrentMaker trackers(List<String> urls) {
    for (String u : urls) {
      if (u == null || !u.matches("(https?|udp)://[^\\s/?#]+(/\\S*)?")) {
        throw new IllegalArgumentException("a tracker must be an http(s):// or udp:// URL, got " + u);
      }
      if (!trackers.contains(u)) trackers.add(u);
    }
    return this;
  }

  /**
   * A file that is not a build output but travels with the release (the source bundle): {@code name} is its path
   * inside the torrent's root folder.
   */
  public TorrentMaker extraFile(String name, Path file) {
    if (name.startsWith("/") || name.contains("..") || name.contains("\\")) throw new IllegalArgumentException("bad file name " + name);
    extraFiles.put(name, file);
    return this;
  }

  /** The dataset's DOI (e.g. {@code 10.5281/zenodo.123}), named in the comment; null when not known. */
  public TorrentMaker doi(String doi) {
    this.doi = doi == null || doi.isBlank() ? null : doi.strip();
    return this;
  }

  /** Hybrid v1+v2 (BEP 52) instead of v1 only (BEP 3). */
  public TorrentMaker hybrid(boolean hybrid) {
    this.hybrid = hybrid;
    return this;
  }

  /** Seconds since the epoch written as {@code creation date}; 0 (the default) writes none. */
  public TorrentMaker creationDate(long epochSeconds) {
    if (epochSeconds < 0) throw new IllegalArgumentException("creation date must be >= 0, got " + epochSeconds);
    this.creationDate = epochSeconds;
    return this;
  }

  /** Threads hashing v1 pieces; the default is one per processor. */
  public TorrentMaker threads(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    this.threads = threads;
    return this;
  }

  /** What a make gave: the .torrent bytes and how to name the torrent. */
  public record Result(Path file, byte[] bytes, String name, String infoHashV1, String magnetUri, int pieceLength,
      int numPieces, long totalSize) {
    /** The same torrent, moved to {@code moved}. */
    public Result at(Path moved) {
      return new Result(moved, bytes, name, infoHashV1, magnetUri, pieceLength, numPieces, totalSize);
    }
  }

  /**
   * The piece size for {@code totalSize} bytes: the smallest power of two, at least {@value #MIN_PIECE_SIZE}, that
   * cuts the content into at most {@value #MAX_PIECES} pieces, capped at {@value #MAX_PIECE_SIZE}. So a torrent has
   * 2,001–4,000 pieces, fewer only when 16 KiB pieces already suffice (content under 62.5 MiB) and more only past
   * 250 GiB.
   */
  public static int pieceSize(long totalSize) {
    if (totalSize < 0) throw new IllegalArgumentException("size must be >= 0, got " + totalSize);
    long size = MIN_PIECE_SIZE;
    while (size < MAX_PIECE_SIZE && (totalSize + size - 1) / size > MAX_PIECES) size <<= 1;
    return (int) size;
  }

  /** The torrent's root folder: {@code <dataset>-<version>}. */
  public static String rootName(Manifest m) {
    return m.dataset() + "-" + m.version();
  }

  /** The comment: dataset, version and DOI when known. */
  static String comment(Manifest m, String doi) {
    return "d4c dataset " + m.dataset() + " version " + m.version() + (doi == null ? "" : ", DOI " + doi);
  }

  /** Makes the torrent and writes it atomically to {@code out} (parent folders created). */
  public Result writeTo(Path out) {
    Result r = make(out);
    // 0644: web servers and mirrors serve the torrent to everyone
    org.d4c.core.io.AtomicFiles.write(out, r.bytes(), org.d4c.core.io.AtomicFiles.PUBLIC);
    return r;
  }

  /** Makes the torrent in memory; {@link Result#file()} is null. */
  public Result make() {
    return make(null);
  }

  private Result make(Path out) {
    Manifest m = Manifests.read(buildDir.resolve(Manifests.FILE_NAME));
    String name = rootName(m);
    List<String> paths = new ArrayList<>();
    m.outputs().forEach(o -> paths.add(o.path()));
    paths.add(Manifests.FILE_NAME);
    paths.addAll(extraFiles.keySet());
    paths.sort(Comparator.naturalOrder());
    for (int i = 1; i < paths.size(); i++) {
      if (paths.get(i).equals(paths.get(i - 1))) throw new IllegalArgumentException("file listed twice: " + paths.get(i));
    }

    List<Path> files = new ArrayList<>();
    long[] sizes = new long[paths.size()];
    long total = 0;
    for (int i = 0; i < paths.size(); i++) {
      Path f = extraFiles.getOrDefault(paths.get(i), buildDir.resolve(paths.get(i)));
      files.add(f);
      try {
        sizes[i] = Files.size(f);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
      total += sizes[i];
    }
    for (Manifest.OutputFile o : m.outputs()) {
      long actual = sizes[paths.indexOf(o.path())];
      if (actual != o.size()) {
        throw new IllegalStateException(o.path() + " has " + actual + " bytes, the manifest says " + o.size());
      }
    }
    int pieceSize = pieceSize(total);

    file_storage fs = new file_storage();
    error_code ec = new error_code();
    for (int i = 0; i < paths.size(); i++) {
      fs.add_file_ex(ec, name + "/" + paths.get(i), sizes[i]);
      if (ec.failed()) throw new IllegalStateException("libtorrent refused " + paths.get(i) + ": " + ec.message());
    }
    fs.set_name(name);
    create_flags_t flags = hybrid ? new create_flags_t() : create_torrent.v1_only;
    create_torrent ct = new create_torrent(fs, pieceSize, flags);
    try {
      if (hybrid) {
        hashWithLibtorrent(ct, name, paths, files);
      } else {
        byte[][] hashes = hashV1(files, sizes, total, pieceSize);
        if (hashes.length != ct.num_pieces()) {
          throw new IllegalStateException("libtorrent counts " + ct.num_pieces() + " pieces, hashed " + hashes.length);
        }
        for (int p = 0; p < hashes.length; p++) ct.set_hash(p, new sha1_hash(Vectors.bytes2byte_vector(hashes[p])));
      }
      for (String seed : new LinkedHashSet<>(webSeeds)) ct.add_url_seed(seed);
      for (int tier = 0; tier < trackers.size(); tier++) ct.add_tracker(trackers.get(tier), tier);
      ct.set_comment(comment(m, doi));
      ct.set_creator(CREATOR);
      ct.set_creation_date(creationDate);
      byte[] bytes = Vectors.byte_vector2bytes(ct.generate().bencode());
      TorrentInfo info = TorrentInfo.bdecode(bytes);
      return new Result(out, bytes, name, info.infoHash().toHex(), info.makeMagnetUri(), ct.piece_length(),
          ct.num_pieces(), total);
    } finally {
      Reference.reachabilityFence(fs); // create_torrent keeps a reference to the native file_storage
    }
  }

  /**
   * SHA-1 of every v1 piece. Each of {@link #threads} workers takes the next piece, reads its bytes with positional
   * reads (a piece may span files) into its own buffer and hashes them: reading and hashing both run in parallel,
   * and memory stays at one piece per thread. Sizes are checked again at the end: a file that changed fails.
   */
  private byte[][] hashV1(List<Path> files, long[] sizes, long total, int pieceSize) {
    int numPieces = (int) ((total + pieceSize - 1) / pieceSize);
    byte[][] hashes = new byte[numPieces][];
    long[] starts = new long[files.size() + 1]; // offset of each file in the torrent's byte stream
    for (int i = 0; i < files.size(); i++) starts[i + 1] = starts[i] + sizes[i];
    FileChannel[] channels = new FileChannel[files.size()];
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "torrent-hash");
      t.setDaemon(true);
      return t;
    });
    try {
      for (int i = 0; i < files.size(); i++) channels[i] = FileChannel.open(files.get(i), StandardOpenOption.READ);
      AtomicInteger next = new AtomicInteger();
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        workers.add(pool.submit(() -> {
          MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
          ByteBuffer buf = ByteBuffer.allocate(pieceSize);
          for (int piece; (piece = next.getAndIncrement()) < numPieces; ) {
            long from = (long) piece * pieceSize;
            long to = Math.min(total, from + pieceSize);
            int f = Arrays.binarySearch(starts, from);
            f = f >= 0 ? f : -f - 2;
            buf.clear();
            for (long pos = from; pos < to; ) {
              while (starts[f + 1] <= pos) f++; // skip empty files
              long sliceEnd = Math.min(to, starts[f + 1]);
              buf.limit((int) (sliceEnd - from));
              while (buf.hasRemaining()) {
                int n = channels[f].read(buf, from + buf.position() - starts[f]);
                if (n < 0) throw new IOException(files.get(f) + " shrank while hashing");
              }
              pos = sliceEnd;
            }
            sha1.update(buf.array(), 0, buf.position());
            hashes[piece] = sha1.digest();
          }
          return null;
        }));
      }
      for (Future<?> f : workers) f.get();
      for (int i = 0; i < files.size(); i++) {
        if (channels[i].size() != sizes[i]) throw new IOException(files.get(i) + " changed size while hashing");
      }
      return hashes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hashing", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) throw new UncheckedIOException(io);
      throw new IllegalStateException("hashing failed", e.getCause());
    } finally {
      pool.shutdownNow();
      for (FileChannel c : channels) {
        try {
          if (c != null) c.close();
        } catch (IOException e) {
          // read-only; nothing to lose
        }
      }
    }
  }

  /** libtorrent's own (serial) v1+v2 hashing, reading {@code <tmp>/<name>/<path>} links to the real files. */
  private static void hashWithLibtorrent(create_torrent ct, String name, List<String> paths, List<Path> files) {
    Path staging = null;
    try {
      staging = Files.createTempDirectory("d4c-torrent");
      Path root = staging.resolve(name);
      for (int i = 0; i < paths.size(); i++) {
        Path link = root.resolve(paths.get(i));
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, files.get(i).toAbsolutePath());
      }
      error_code ec = new error_code();
      set_piece_hashes_listener listener = new set_piece_hashes_listener();
      libtorrent.set_piece_hashes_ex(ct, staging.toString(), listener, ec);
      Reference.reachabilityFence(listener);
      if (ec.failed()) throw new IllegalStateException("libtorrent could not hash " + name + ": " + ec.message());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (staging != null) org.d4c.core.io.Folders.deleteQuietly(staging);
    }
  }

}
