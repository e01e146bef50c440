package org.d4c.manifests.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip-compressed POSIX tar written with nothing from the machine in it: every header field is given by the caller
 * or fixed (uid/gid 0, no user or group name, no device numbers), long or non-ASCII names go into a PAX record whose
 * own header is fixed too, and the gzip header holds no time, file name or OS byte of this machine (Java writes
 * mtime 0 and OS 0). commons-compress is not used for writing: its PAX headers carry the JVM's user name.
 */
final class TarWriter implements AutoCloseable {
  private static final int BLOCK = 512;
  private final GZIPOutputStream gzip;
  private long written;

  TarWriter(OutputStream out) throws IOException {
    this.gzip = new GZIPOutputStream(out, 1 << 16) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    };
  }

  void directory(String path, long mtime) throws IOException {
    header(path.endsWith("/") ? path : path + "/", 0755, 0, mtime, '5', "");
  }

  void symlink(String path, String target, long mtime) throws IOException {
    header(path, 0777, 0, mtime, '2', target);
  }

  void file(String path, int mode, long mtime, byte[] content) throws IOException {
    header(path, mode, content.length, mtime, '0', "");
    write(content, content.length);
    pad();
  }

  void file(String path, int mode, long mtime, long size, InputStream content) throws IOException {
    header(path, mode, size, mtime, '0', "");
    byte[] buf = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int n = content.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) throw new IOException(path + ": ended " + left + " bytes early");
      write(buf, n);
      left -= n;
    }
    pad();
  }

  private void header(String path, int mode, long size, long mtime, char type, String link) throws IOException {
    Map<String, String> pax = new LinkedHashMap<>();
    String name = path;
    String prefix = "";
    if (!fits(path, 100)) {
      int cut = splitAt(path);
      if (cut > 0) {
        prefix = path.substring(0, cut);
        name = path.substring(cut + 1);
      } else {
        pax.put("path", path);
        name = ascii(path, 100);
      }
    }
    if (!fits(link, 100)) {
      pax.put("linkpath", link);
      link = ascii(link, 100);
    }
    if (size > 077777777777L) pax.put("size", Long.toString(size));
    if (!pax.isEmpty()) {
      byte[] records = paxRecords(pax);
      String paxName = ascii("PaxHeaders/" + name, 100);
      raw(paxName, 0644, records.length, mtime, 'x', "", "");
      write(records, records.length);
      pad();
    }
    raw(name, mode, size > 077777777777L ? 0 : size, mtime, type, link, prefix);
  }

  private void raw(String name, int mode, long size, long mtime, char type, String link, String prefix)
      throws IOException {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = (byte) type;
    put(h, 157, 100, link.getBytes(StandardCharsets.UTF_8));
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    octal(h, 329, 8, 0);
    octal(h, 337, 8, 0);
    put(h, 345, 155, prefix.getBytes(StandardCharsets.UTF_8));
    long sum = 0;
    for (byte b : h) sum += b & 0xff;
    byte[] s = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(s, 0, h, 148, 6);
    h[154] = 0;
    h[155] = ' ';
    write(h, BLOCK);
  }

  /** The '/' that splits a path into a ustar prefix (at most 155 bytes) and name (at most 100), or -1. */
  private static int splitAt(String path) {
    if (!fits(path, 256)) return -1;
    for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
      String prefix = path.substring(0, i);
      String name = path.substring(i + 1);
      if (!fits(prefix, 155)) return -1;
      if (fits(name, 100) && !name.isEmpty()) return i;
    }
    return -1;
  }

  private static boolean fits(String s, int bytes) {
    return s.chars().allMatch(c -> c > 0 && c < 128) && s.length() <= bytes;
  }

  private static String ascii(String s, int max) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(c > 0 && c < 128 ? (char) c : '_'));
    return b.length() <= max ? b.toString() : b.substring(b.length() - max);
  }

  private static byte[] paxRecords(Map<String, String> pax) {
    StringBuilder all = new StringBuilder();
    pax.forEach((k, v) -> {
      String body = " " + k + "=" + v + "\n";
      int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
      int len = bodyLen + 1;
      while (len != Integer.toString(len).length() + bodyLen) len = Integer.toString(len).length() + bodyLen;
      all.append(len).append(body);
    });
    return all.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void put(byte[] h, int off, int len, byte[] value) {
    if (value.length > len) throw new IllegalArgumentException("tar header field too long: " + new String(value, StandardCharsets.UTF_8));
    System.arraycopy(value, 0, h, off, value.length);
  }

  private static void octal(byte[] h, int off, int len, long value) {
    String s = String.format("%0" + (len - 1) + "o", value);
    put(h, off, len, (s + "\0").getBytes(StandardCharsets.US_ASCII));
  }

  private void write(byte[] b, int n) throws IOException {
    gzip.write(b, 0, n);
    written += n;
  }

  private void pad() throws IOException {
    int r = (int) (written % BLOCK);
    if (r != 0) write(new byte[BLOCK - r], BLOCK - r);
  }

  @Override
  public void close() throws IOException {
    write(new byte[2 * BLOCK], 2 * BLOCK);
    // GNU tar pads to a 10 KiB record; readers do not need it, and leaving it out changes nothing they see.
    gzip.close();
  }
}
