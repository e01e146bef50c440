package org.d4c.monitor.probe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of a v1 .torrent the probes need: root name, piece length, the SHA-1 of every piece and the files in
 * torrent order with their offsets. Decoded with a small bencode reader (BEP 3) so the monitor needs no native
 * libtorrent; file names with {@code ..}, a leading {@code /} or a backslash are refused.
 */
public record TorrentPieces(String name, int pieceLength, byte[] hashes, List<TorrentFile> files, long totalSize) {

  /** A file of the torrent: its path under the root folder, its size and where it starts in the piece space. */
  public record TorrentFile(String path, long size, long offset) {}

  public int pieces() {
    return hashes.length / 20;
  }

  public byte[] hash(int piece) {
    byte[] h = new byte[20];
    System.arraycopy(hashes, piece * 20, h, 0, 20);
    return h;
  }

  public long pieceSize(int piece) {
    return Math.min(pieceLength, totalSize - (long) piece * pieceLength);
  }

  /** A piece cut at file boundaries: (file, from, to-exclusive) parts in order. */
  public record Part(TorrentFile file, long from, long to) {}

  public List<Part> parts(int piece) {
    long start = (long) piece * pieceLength;
    long end = start + pieceSize(piece);
    List<Part> out = new ArrayList<>();
    for (TorrentFile f : files) {
      long fs = f.offset(), fe = f.offset() + f.size();
      if (fe <= start || fs >= end || f.size() == 0) continue;
      out.add(new Part(f, Math.max(start, fs) - fs, Math.min(end, fe) - fs));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  public static TorrentPieces parse(byte[] bytes, String where) {
    Object root = new Decoder(bytes, where).value();
    if (!(root instanceof Map<?, ?> top) || !(top.get("info") instanceof Map<?, ?> info)) {
      throw new IllegalArgumentException(where + ": not a torrent (no info dictionary)");
    }
    String name = text(info.get("name"), where, "info.name");
    checkName(name, where);
    if (!(info.get("piece length") instanceof Long pl) || pl <= 0 || pl > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(where + ": info.piece length missing or out of range");
    }
    if (!(info.get("pieces") instanceof byte[] hashes) || hashes.length % 20 != 0) {
      throw new IllegalArgumentException(where + ": info.pieces missing or not a multiple of 20 bytes");
    }
    List<TorrentFile> files = new ArrayList<>();
    long offset = 0;
    if (info.get("files") instanceof List<?> list) {
      for (Object o : list) {
        Map<String, Object> f = (Map<String, Object>) o;
        List<String> parts = new ArrayList<>();
        for (Object p : (List<Object>) f.get("path")) {
          String s = text(p, where, "info.files[].path");
          checkName(s, where);
          parts.add(s);
        }
        long len = (Long) f.get("length");
        files.add(new TorrentFile(String.join("/", parts), len, offset));
        offset += len;
      }
    } else if (info.get("length") instanceof Long len) {
      files.add(new TorrentFile("", len, 0));
      offset = len;
    } else {
      throw new IllegalArgumentException(where + ": neither info.files nor info.length");
    }
    long expected = (offset + pl - 1) / pl;
    if (hashes.length / 20 != expected) {
      throw new IllegalArgumentException(where + ": " + hashes.length / 20 + " piece hashes for " + expected + " pieces");
    }
    return new TorrentPieces(name, pl.intValue(), hashes, files, offset);
  }

  /** The v1 info-hash (SHA-1 of the bencoded info dictionary as it stands in the file), hex. */
  public static String infoHash(byte[] bytes) {
    Decoder d = new Decoder(bytes, "torrent");
    if (d.peek() != 'd') throw d.bad("not a dictionary");
    d.i++;
    while (d.peek() != 'e') {
      String k = new String((byte[]) d.string(), StandardCharsets.UTF_8);
      int from = d.i;
      d.value();
      if (k.equals("info")) {
        try {
          java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-1");
          md.update(bytes, from, d.i - from);
          return org.d4c.core.hash.Hashing.hex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalArgumentException("torrent: no info dictionary");
  }

  /** The BEP 19 web seeds ({@code url-list}) of a torrent. */
  public static List<String> webSeeds(byte[] bytes) {
    Object root = new Decoder(bytes, "torrent").value();
    List<String> out = new ArrayList<>();
    if (root instanceof Map<?, ?> top) {
      Object u = top.get("url-list");
      if (u instanceof byte[] b) out.add(new String(b, StandardCharsets.UTF_8));
      if (u instanceof List<?> l) for (Object o : l) if (o instanceof byte[] b) out.add(new String(b, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String text(Object o, String where, String field) {
    if (!(o instanceof byte[] b)) throw new IllegalArgumentException(where + ": " + field + " is not a string");
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void checkName(String s, String where) {
    if (s.isEmpty() || s.equals(".") || s.equals("..") || s.startsWith("/") || s.contains("\\") || s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(where + ": unsafe file name in torrent: " + s);
    }
  }

  /** Bencode: integers as Long, strings as byte[], lists, dictionaries (keys as String). */
  private static final class Decoder {
    private final byte[] b;
    private final String where;
    private int i;
    private int depth;

    Decoder(byte[] b, String where) {
      this.b = b;
      this.where = where;
    }

    Object value() {
      if (i >= b.length) throw bad("truncated");
      if (++depth > 64) throw bad("nested too deeply");
      try {
        byte c = b[i];
        if (c == 'i') {
          int e = find('e');
          long v = Long.parseLong(new String(b, i + 1, e - i - 1, StandardCharsets.US_ASCII));
          i = e + 1;
          return v;
        }
        if (c == 'l') {
          i++;
          List<Object> l = new ArrayList<>();
          while (peek() != 'e') l.add(value());
          i++;
          return l;
        }
        if (c == 'd') {
          i++;
          Map<String, Object> m = new LinkedHashMap<>();
          while (peek() != 'e') {
            String k = new String((byte[]) string(), StandardCharsets.UTF_8);
            m.put(k, value());
          }
          i++;
          return m;
        }
        return string();
      } catch (NumberFormatException e) {
        throw bad("bad number");
      } finally {
        depth--;
      }
    }

    private byte peek() {
      if (i >= b.length) throw bad("truncated");
      return b[i];
    }

    private Object string() {
      int colon = find(':');
      int len = Integer.parseInt(new String(b, i, colon - i, StandardCharsets.US_ASCII));
      if (len < 0 || colon + 1 + len > b.length) throw bad("string past the end");
      byte[] s = new byte[len];
      System.arraycopy(b, colon + 1, s, 0, len);
      i = colon + 1 + len;
      return s;
    }

    private int find(char c) {
      for (int j = i; j < b.length && j < i + 32; j++) if (b[j] == c) return j;
      throw bad("expected '" + c + "'");
    }

    private IllegalArgumentException bad(String what) {
      return new IllegalArgumentException(where + ": not a bencoded torrent (" + what + " at byte " + i + ")");
    }
  }
}
