package org.d4c.seeder.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.d4c.core.net.AddressPolicy;
import org.d4c.core.net.SafeHttp;
import org.libtorrent4j.FileStorage;
import org.libtorrent4j.TorrentInfo;

/**
 * Checks one HTTP mirror of one torrent: a HEAD of the piece's first file (must be 200 with the torrent's file size),
 * then Range GETs of exactly one piece's bytes (one per file the piece spans), whose SHA-1 must equal the torrent's
 * piece hash. Results: {@code ok}; {@code down} (no answer, an HTTP error, a wrong size, a server ignoring Range);
 * {@code corrupt} (the bytes arrived but are wrong); {@code refused} (a redirect from a public host to a non-public
 * address).
 */
public final class MirrorProber {
  public enum Status { UNKNOWN, OK, DOWN, CORRUPT, REFUSED }

  /** One probe's outcome. */
  public record Result(Status status, long latencyMillis, Instant at, String detail, int piece) {}

  private final SafeHttp http;
  private final Clock clock;

  public MirrorProber(AddressPolicy policy, Duration timeout, Clock clock) {
    this.http = new SafeHttp(policy, timeout);
    this.clock = clock;
  }

  /** The URL of file {@code i} under a BEP 19 base (percent-encoded path elements). */
  static String fileUrl(String base, TorrentInfo ti, int i) {
    FileStorage fs = ti.files();
    String path = fs.filePath(i);
    StringBuilder sb = new StringBuilder(base.endsWith("/") ? base : base + "/");
    if (!base.endsWith("/") && ti.numFiles() == 1) return base; // single-file torrent, URL given as is
    String[] parts = path.replace('\\', '/').split("/");
    for (int k = 0; k < parts.length; k++) {
      if (k > 0) sb.append('/');
      sb.append(URLEncoder.encode(parts[k], StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return sb.toString();
  }

  public Result probe(String base, TorrentInfo ti, int piece) {
    Instant start = clock.instant();
    long t0 = System.nanoTime();
    try {
      FileStorage fs = ti.files();
      long offset = (long) piece * ti.pieceLength();
      long left = ti.pieceSize(piece);
      int first = fs.fileIndexAtOffset(offset);
      SafeHttp.Response head = http.head(URI.create(fileUrl(base, ti, first)));
      if (head.status() != 200) return done(Status.DOWN, t0, start, "HEAD " + head.status(), piece);
      if (head.contentLength() >= 0 && head.contentLength() != fs.fileSize(first)) {
        return done(Status.CORRUPT, t0, start, "HEAD says " + head.contentLength() + " bytes, the torrent " + fs.fileSize(first), piece);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) left);
      int f = first;
      while (left > 0) {
        long inFile = offset - fs.fileOffset(f);
        long n = Math.min(left, fs.fileSize(f) - inFile);
        if (n > 0) {
          SafeHttp.Response r = http.get(URI.create(fileUrl(base, ti, f)), "bytes=" + inFile + "-" + (inFile + n - 1), n);
          if (r.status() == 200) return done(Status.DOWN, t0, start, "ignores Range requests (200 instead of 206)", piece);
          if (r.status() != 206) return done(Status.DOWN, t0, start, "GET " + r.status(), piece);
          if (r.body().length != n) return done(Status.CORRUPT, t0, start, "short body: " + r.body().length + " of " + n + " bytes", piece);
          bytes.write(r.body());
          offset += n;
          left -= n;
        }
        f++;
      }
      String want = ti.hashForPiece(piece).toHex();
      String got = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes.toByteArray()));
      if (!want.equalsIgnoreCase(got)) return done(Status.CORRUPT, t0, start, "piece " + piece + " SHA-1 " + got + " != " + want, piece);
      return done(Status.OK, t0, start, "piece " + piece + " verified", piece);
    } catch (SafeHttp.RedirectRefusedException e) {
      return done(Status.REFUSED, t0, start, e.getMessage(), piece);
    } catch (IOException | RuntimeException e) {
      return done(Status.DOWN, t0, start, e.getClass().getSimpleName() + ": " + e.getMessage(), piece);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Result done(Status s, long t0, Instant at, String detail, int piece) {
    return new Result(s, (System.nanoTime() - t0) / 1_000_000, at, detail, piece);
  }
}
