package org.d4c.seeder.node;

import java.util.List;
import java.util.Map;
import org.libtorrent4j.Entry;
import org.libtorrent4j.TorrentInfo;

/**
 * Reads .torrent bytes with libtorrent's bdecoder and refuses any whose file names could leave the data folder.
 * libtorrent quietly rewrites such names when it loads a torrent; the seeder refuses them instead, reading the raw
 * {@code info.name} and {@code info.files[].path} elements: empty, {@code .}, {@code ..}, a leading {@code /}, a
 * backslash, a drive letter ({@code C:}) or a NUL byte are refused.
 */
public final class SafeTorrent {
  private SafeTorrent() {}

  /** Thrown for a torrent the seeder will not add. */
  public static final class UnsafeTorrentException extends RuntimeException {
    public UnsafeTorrentException(String message) {
      super(message);
    }
  }

  public static TorrentInfo parse(byte[] bytes, String where) {
    Entry root;
    try {
      root = Entry.bdecode(bytes);
    } catch (RuntimeException e) {
      throw new UnsafeTorrentException(where + ": not a bencoded torrent (" + e.getMessage() + ")");
    }
    try {
      checkNames(root, where);
    } finally {
      // The child entries point into the root's native memory: keep it alive until they are no longer read.
      java.lang.ref.Reference.reachabilityFence(root);
    }
    try {
      return TorrentInfo.bdecode(bytes);
    } catch (RuntimeException e) {
      throw new UnsafeTorrentException(where + ": libtorrent cannot load it (" + e.getMessage() + ")");
    }
  }

  private static void checkNames(Entry root, String where) {
    Map<String, Entry> top = root.dictionary();
    Entry info = top.get("info");
    if (info == null) throw new UnsafeTorrentException(where + ": no info dictionary");
    Map<String, Entry> d = info.dictionary();
    Entry name = d.get("name");
    if (name == null) throw new UnsafeTorrentException(where + ": no info.name");
    check(name.string(), where, "info.name");
    Entry files = d.get("files");
    if (files != null) {
      List<Entry> list = files.list();
      for (int i = 0; i < list.size(); i++) {
        Entry path = list.get(i).dictionary().get("path");
        if (path == null || path.list().isEmpty()) throw new UnsafeTorrentException(where + ": info.files[" + i + "] has no path");
        for (Entry part : path.list()) check(part.string(), where, "info.files[" + i + "].path");
      }
    }
  }

  static void check(String element, String where, String field) {
    String why = null;
    if (element.isEmpty()) why = "is empty";
    else if (element.equals(".") || element.equals("..")) why = "is '" + element + "'";
    else if (element.contains("/")) why = "contains '/'";
    else if (element.contains("\\")) why = "contains a backslash";
    else if (element.indexOf('\0') >= 0) why = "contains a NUL byte";
    else if (element.matches("^[A-Za-z]:.*")) why = "starts with a drive letter";
    if (why != null) {
      throw new UnsafeTorrentException(where + ": " + field + " element '" + element.replace("\0", "\\0") + "' " + why
          + " and could leave the data folder; refused");
    }
  }
}
