package org.d4c.fetch;

import org.d4c.core.io.Natives;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.libtorrent4j.FileStorage;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.WebSeedEntry;

/**
 * A v1 torrent's layout copied out of libtorrent into plain Java: the files of the root folder as one byte stream,
 * the piece length and every piece's SHA-1, and the web seeds. The HTTP download works on this alone; names that
 * could leave the target folder are refused here.
 */
public record TorrentLayout(String name, String infoHash, int pieceLength, long totalSize, List<FileEntry> files, List<byte[]> pieceHashes,
    List<String> webSeeds) {

  /** One file: its path under the root folder ('/'-separated), size, offset in the stream, and whether it is padding. */
  public record FileEntry(String path, long size, long offset, boolean pad) {}

  /** A part of a file: file index, offset in the file, length. */
  public record Span(int file, long offset, long length) {}

  public static TorrentLayout of(byte[] torrent, String where) {
    Natives.ensureLibtorrent();
    TorrentInfo ti;
    try {
      ti = TorrentInfo.bdecode(torrent);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": not a torrent libtorrent can read (" + e.getMessage() + ")");
    }
    String name = ti.name();
    checkName(name, where, "info.name");
    FileStorage fs = ti.files();
    List<FileEntry> files = new ArrayList<>();
    for (int i = 0; i < fs.numFiles(); i++) {
      String full = fs.filePath(i).replace('\\', '/');
      String rel = full.startsWith(name + "/") ? full.substring(name.length() + 1) : full;
      for (String part : rel.split("/", -1)) checkName(part, where, "file " + rel);
      files.add(new FileEntry(rel, fs.fileSize(i), fs.fileOffset(i), fs.padFileAt(i)));
    }
    List<byte[]> hashes = new ArrayList<>();
    for (int p = 0; p < ti.numPieces(); p++) hashes.add(java.util.HexFormat.of().parseHex(ti.hashForPiece(p).toHex()));
    List<String> seeds = new ArrayList<>();
    for (WebSeedEntry w : ti.webSeeds()) seeds.add(w.url());
    return new TorrentLayout(name, ti.infoHash().toHex().toLowerCase(Locale.ROOT), ti.pieceLength(), ti.totalSize(), List.copyOf(files),
        List.copyOf(hashes), List.copyOf(seeds));
  }

  static void checkName(String element, String where, String field) {
    if (element.isEmpty() || element.equals(".") || element.equals("..") || element.contains("\\") || element.indexOf('\0') >= 0
        || element.matches("^[A-Za-z]:.*")) {
      throw new IllegalArgumentException(where + ": " + field + " has the name element '" + element.replace("\0", "\\0")
          + "', which could leave the target folder; refused");
    }
  }

  public int numPieces() {
    return pieceHashes.size();
  }

  public long pieceOffset(int piece) {
    return (long) piece * pieceLength;
  }

  public int pieceSize(int piece) {
    return (int) Math.min(pieceLength, totalSize - pieceOffset(piece));
  }

  /** The file spans of the stream range [from, from + length). */
  public List<Span> spans(long from, long length) {
    List<Span> out = new ArrayList<>();
    long end = from + length;
    for (int i = 0; i < files.size(); i++) {
      FileEntry f = files.get(i);
      long a = Math.max(from, f.offset());
      long b = Math.min(end, f.offset() + f.size());
      if (a < b) out.add(new Span(i, a - f.offset(), b - a));
    }
    return out;
  }
}
