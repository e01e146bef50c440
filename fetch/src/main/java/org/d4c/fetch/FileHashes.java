package org.d4c.fetch;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sha256 of every file of a download, computed while it downloads: a thread follows the verified pieces in the
 * torrent's order and feeds each file's digest from the bytes just written (still in the page cache), so that the
 * final check against the manifest does not read the files again. Pieces verified out of order wait until the ones
 * before them are there. A file whose digest is not complete when {@link #finish} returns (the download stopped, or
 * BitTorrent wrote the rest) is hashed from disk by the caller.
 */
final class FileHashes {
  private final TorrentLayout layout;
  private final PieceStore store;
  private final MessageDigest[] digests;
  private final long[] hashed;
  private final Map<String, String> done = new TreeMap<>();
  private final Thread thread;
  private volatile boolean stop;
  private volatile boolean stopWhenIdle;
  private volatile IOException failure;

  FileHashes(TorrentLayout layout, PieceStore store) {
    this.layout = layout;
    this.store = store;
    this.digests = new MessageDigest[layout.files().size()];
    this.hashed = new long[digests.length];
    for (int i = 0; i < digests.length; i++) {
      if (layout.files().get(i).pad()) continue;
      digests[i] = sha256();
      if (layout.files().get(i).size() == 0) finishFile(i);
    }
    this.thread = new Thread(this::run, "d4c-get-sha256");
    this.thread.setDaemon(true);
  }

  FileHashes start() {
    thread.start();
    return this;
  }

  private void run() {
    byte[] buf = new byte[layout.pieceLength()];
    try {
      for (int p = 0; p < layout.numPieces() && !stop; ) {
        if (!store.await(p, 100)) {
          if (stopWhenIdle) return;
          continue;
        }
        int n = layout.pieceSize(p);
        long pos = layout.pieceOffset(p);
        store.readAt(pos, buf, n);
        for (TorrentLayout.Span s : layout.spans(pos, n)) {
          if (digests[s.file()] == null) continue;
          digests[s.file()].update(buf, (int) (layout.files().get(s.file()).offset() + s.offset() - pos), (int) s.length());
          hashed[s.file()] += s.length();
          if (hashed[s.file()] == layout.files().get(s.file()).size()) finishFile(s.file());
        }
        p++;
      }
    } catch (IOException e) {
      failure = e;
    } catch (InterruptedException e) {
      // stopped
    }
  }

  private synchronized void finishFile(int i) {
    done.put(layout.files().get(i).path(), HexFormat.of().formatHex(digests[i].digest()));
  }

  /**
   * Waits for the hashing to reach the last verified piece (all of them when the download is complete) and returns
   * path -> sha256 of the files hashed whole.
   */
  Map<String, String> finish() throws InterruptedException {
    stopWhenIdle = true;
    thread.join();
    if (failure != null) return Map.of();
    synchronized (this) {
      return new TreeMap<>(done);
    }
  }

  /** Stops without waiting for the rest. */
  void stop() {
    stop = true;
    thread.interrupt();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
