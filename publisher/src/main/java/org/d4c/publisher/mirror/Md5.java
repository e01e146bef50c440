package org.d4c.publisher.mirror;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.d4c.core.progress.Progress;

/**
 * MD5, the checksum Zenodo and the Internet Archive report for stored files (not a security measure: the manifest's
 * sha256 is the lock; MD5 only proves the mirror holds the bytes we sent).
 */
public final class Md5 {
  private Md5() {}

  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 missing from this JVM", e);
    }
  }

  /** Lowercase hex MD5 of a file, reporting bytes read to {@code progress} (begun and ended here). */
  public static String ofFile(Path file, String task, Progress progress) {
    MessageDigest md = digest();
    try (InputStream in = new Counting(Files.newInputStream(file), progress)) {
      progress.begin(task, Files.size(file));
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) != -1; ) md.update(buf, 0, n);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to compute its MD5: " + e.getMessage(), e);
    } finally {
      progress.end();
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The base64 form HTTP's Content-MD5 header takes. */
  public static String base64(String hex) {
    return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
  }

  /** An input stream that reports the bytes read so far to a {@link Progress}. */
  public static final class Counting extends FilterInputStream {
    private final Progress progress;
    private long done;

    public Counting(InputStream in, Progress progress) {
      super(in);
      this.progress = progress;
    }

    @Override public int read() throws IOException {
      int b = super.read();
      if (b >= 0) progress.update(++done);
      return b;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) progress.update(done += n);
      return n;
    }

    public long count() {
      return done;
    }
  }
}
