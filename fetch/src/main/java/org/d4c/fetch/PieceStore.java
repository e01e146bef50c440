package org.d4c.fetch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The partial download: the torrent's files under {@code PART/<name>/} (sparse, at their final sizes, the layout
 * libtorrent expects, so the swarm fallback finds the pieces already there) and the verified pieces in
 * {@code PART/<name>.pieces} (info-hash line, then the piece bitmap), rewritten atomically. A resumed download re-hashes
 * the pieces the bitmap names before trusting them.
 */
public final class PieceStore implements AutoCloseable {
  private final TorrentLayout layout;
  private final Path partDir;
  private final Path root;
  private final Path stateFile;
  private final FileChannel[] channels;
  private final BitSet have = new BitSet();
  private long lastSave;

  public PieceStore(TorrentLayout layout, Path partDir) {
    this.layout = layout;
    this.partDir = partDir;
    this.root = partDir.resolve(layout.name());
    this.stateFile = partDir.resolve(layout.name() + ".pieces");
    this.channels = new FileChannel[layout.files().size()];
    try {
      for (int i = 0; i < channels.length; i++) {
        TorrentLayout.FileEntry f = layout.files().get(i);
        if (f.pad()) continue;
        Path p = file(i);
        Files.createDirectories(p.getParent());
        channels[i] = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (channels[i].size() > f.size()) channels[i].truncate(f.size());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the partial download in " + partDir + ": " + e.getMessage(), e);
    }
  }

  /** The root folder of the partial download. */
  public Path root() {
    return root;
  }

  public Path partDir() {
    return partDir;
  }

  public Path file(int index) {
    Path p = root.resolve(layout.files().get(index).path()).normalize();
    if (!p.startsWith(root)) throw new IllegalArgumentException("file " + layout.files().get(index).path() + " leaves the target folder");
    return p;
  }

  /** Loads the saved bitmap and keeps the pieces whose bytes on disk still match their hash; returns how many. */
  public int resume() {
    if (!Files.isRegularFile(stateFile)) return 0;
    try {
      byte[] b = Files.readAllBytes(stateFile);
      int nl = indexOf(b, (byte) '\n');
      if (nl < 0 || !new String(b, 0, nl, StandardCharsets.US_ASCII).equals(layout.infoHash())) return 0;
      BitSet saved = BitSet.valueOf(Arrays.copyOfRange(b, nl + 1, b.length));
      byte[] buf = new byte[layout.pieceLength()];
      int kept = 0;
      for (int p = saved.nextSetBit(0); p >= 0 && p < layout.numPieces(); p = saved.nextSetBit(p + 1)) {
        int n = layout.pieceSize(p);
        read(layout.pieceOffset(p), buf, n);
        if (Arrays.equals(sha1(buf, 0, n), layout.pieceHashes().get(p))) {
          synchronized (this) {
            have.set(p);
            notifyAll();
          }
          kept++;
        }
      }
      return kept;
    } catch (IOException e) {
      return 0;
    }
  }

  public synchronized boolean has(int piece) {
    return have.get(piece);
  }

  /** Waits at most {@code millis} for piece {@code p}; true when it is there. */
  public synchronized boolean await(int p, long millis) throws InterruptedException {
    if (!have.get(p)) wait(millis);
    return have.get(p);
  }

  /** Reads {@code n} bytes of the torrent's byte stream at {@code pos} (padding reads as zeros). */
  public void readAt(long pos, byte[] buf, int n) throws IOException {
    read(pos, buf, n);
  }

  public synchronized int count() {
    return have.cardinality();
  }

  public synchronized BitSet have() {
    return (BitSet) have.clone();
  }

  /** Whether {@code data[off, off + size)} is piece {@code p}'s bytes. */
  public boolean verify(int p, byte[] data, int off) {
    return Arrays.equals(sha1(data, off, layout.pieceSize(p)), layout.pieceHashes().get(p));
  }

  /** Writes a verified piece; false when it was already there (another source was faster). */
  public boolean write(int p, byte[] data, int off) throws IOException {
    synchronized (this) {
      if (have.get(p)) return false;
    }
    long pos = layout.pieceOffset(p);
    int n = layout.pieceSize(p);
    for (TorrentLayout.Span s : layout.spans(pos, n)) {
      if (channels[s.file()] == null) continue; // padding
      ByteBuffer bb = ByteBuffer.wrap(data, off + (int) (layout.files().get(s.file()).offset() + s.offset() - pos), (int) s.length());
      long at = s.offset();
      while (bb.hasRemaining()) at += channels[s.file()].write(bb, at);
    }
    synchronized (this) {
      if (have.get(p)) return false;
      have.set(p);
      notifyAll();
    }
    return true;
  }

  private void read(long pos, byte[] buf, int n) throws IOException {
    Arrays.fill(buf, 0, n, (byte) 0);
    for (TorrentLayout.Span s : layout.spans(pos, n)) {
      if (channels[s.file()] == null) continue;
      ByteBuffer bb = ByteBuffer.wrap(buf, (int) (layout.files().get(s.file()).offset() + s.offset() - pos), (int) s.length());
      long at = s.offset();
      while (bb.hasRemaining()) {
        int r = channels[s.file()].read(bb, at);
        if (r < 0) break;
        at += r;
      }
    }
  }

  /** Saves the bitmap, at most every 500 ms unless {@code force}. */
  public void save(boolean force) {
    byte[] bits;
    synchronized (this) {
      long now = System.nanoTime();
      if (!force && now - lastSave < 500_000_000L) return;
      lastSave = now;
      bits = have.toByteArray();
    }
    // No fsync of the data: a resume re-hashes every piece the bitmap names, so a piece lost in a crash is fetched again.
    byte[] head = (layout.infoHash() + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(head, head.length + bits.length);
    System.arraycopy(bits, 0, all, head.length, bits.length);
    // Written to a temporary file and renamed, without fsync: on ext4 an fsync here would also flush every piece
    // written since the last one (and stall the workers); the bitmap is only a hint, re-checked on resume.
    synchronized (stateFile) {
      Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
      try {
        Files.write(tmp, all);
        Files.move(tmp, stateFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + stateFile + ": " + e.getMessage(), e);
      }
    }
  }

  public void deleteState() throws IOException {
    Files.deleteIfExists(stateFile);
  }

  public List<TorrentLayout.FileEntry> files() {
    return layout.files();
  }

  @Override
  public void close() {
    for (FileChannel c : channels) {
      try {
        if (c != null) c.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  static byte[] sha1(byte[] b, int off, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(b, off, len);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) if (b[i] == x) return i;
    return -1;
  }
}
