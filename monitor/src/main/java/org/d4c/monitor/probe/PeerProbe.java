package org.d4c.monitor.probe;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.d4c.catalog.status.State;

/**
 * Fetches chosen pieces from one BitTorrent peer over the peer wire protocol (BEP 3) and checks each against the
 * torrent's SHA-1: how the monitor checks the bytes a Smart Node serves. Only what a probe needs is spoken —
 * handshake, bitfield/have, interested, unchoke/choke, request, piece — with no extension bits, so the peer sends
 * nothing else; no data is kept and nothing is uploaded. A library client (libtorrent) would need a session, a save
 * folder and a native library in the monitor for what is a few requests.
 */
public final class PeerProbe {
  private static final byte[] PROTOCOL = "BitTorrent protocol".getBytes(StandardCharsets.US_ASCII);
  private static final int BLOCK = 16 * 1024;
  private static final int WINDOW = 64; // requests in flight: libtorrent queues up to 500 per peer
  private static final int MAX_MESSAGE = BLOCK + 13 + 1024; // larger than any message a probe asks for

  /** What the probe found: a state, time to the peer's handshake, throughput of the piece data, bytes and requests. */
  public record Outcome(State state, Double latencyMs, Double throughputBps, long bytes, int requests, String detail) {}

  private PeerProbe() {}

  /**
   * @param peer the node's BitTorrent address (from the operator's configuration, never from a remote document)
   * @param infoHash the torrent's v1 info-hash (20 bytes)
   * @param peerId this probe's peer id (20 bytes)
   */
  public static Outcome fetch(InetSocketAddress peer, byte[] infoHash, byte[] peerId, TorrentPieces torrent, List<Integer> pieces,
      Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Double latency = null;
    long bytes = 0;
    int requests = 0;
    long dataNanos = 0;
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(peer, (int) Math.max(1, Math.min(timeout.toMillis(), 10_000)));
      s.setSoTimeout((int) Math.max(1, Math.min(timeout.toMillis(), 10_000)));
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 64 * 1024));
      ByteBuffer hs = ByteBuffer.allocate(68);
      hs.put((byte) PROTOCOL.length).put(PROTOCOL).put(new byte[8]).put(infoHash).put(peerId);
      out.write(hs.array());
      out.flush();
      byte[] reply = new byte[68];
      try {
        in.readFully(reply);
      } catch (EOFException e) {
        // libtorrent closes the connection of a handshake for a torrent it does not have
        return new Outcome(State.STALE, null, null, 0, 0, "the node closed the connection at the handshake: it does not serve this torrent");
      }
      latency = (System.nanoTime() - start) / 1e6;
      if (reply[0] != PROTOCOL.length || !Arrays.equals(Arrays.copyOfRange(reply, 1, 20), PROTOCOL)) {
        return new Outcome(State.DOWN, latency, null, 0, 0, "the node does not speak the BitTorrent protocol");
      }
      if (!Arrays.equals(Arrays.copyOfRange(reply, 28, 48), infoHash)) {
        return new Outcome(State.STALE, latency, null, 0, 0, "the node answered for another torrent");
      }
      Peer p = new Peer(in, torrent.pieces());
      out.write(new byte[] {0, 0, 0, 1, 2}); // interested
      out.flush();
      while (p.choked) {
        if (System.nanoTime() > deadline) return new Outcome(null, latency, null, 0, 0, "the node did not unchoke the probe within " + timeout.toSeconds() + " s (busy)");
        p.next(null);
      }
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      for (int piece : pieces) {
        if (!p.have.get(piece)) {
          return new Outcome(State.STALE, latency, null, bytes, requests, "the node does not have piece " + piece + " that its status lists as held");
        }
        int size = (int) torrent.pieceSize(piece);
        int blocks = (size + BLOCK - 1) / BLOCK;
        byte[] data = new byte[size];
        BitSet got = new BitSet(blocks);
        long t0 = System.nanoTime();
        while (got.cardinality() < blocks) {
          // (Re)request what is missing in windows; a choke drops the peer's queue, so everything missing is asked again.
          int sent = 0;
          for (int b = got.nextClearBit(0); b < blocks && sent < WINDOW; b = got.nextClearBit(b + 1), sent++) {
            int len = Math.min(BLOCK, size - b * BLOCK);
            out.write(ByteBuffer.allocate(17).putInt(13).put((byte) 6).putInt(piece).putInt(b * BLOCK).putInt(len).array());
            requests++;
          }
          out.flush();
          for (int k = 0; k < sent; k++) {
            if (System.nanoTime() > deadline) {
              return new Outcome(State.SLOW, latency, rate(bytes, dataNanos + System.nanoTime() - t0), bytes, requests,
                  "piece " + piece + " not complete within " + timeout.toSeconds() + " s");
            }
            Block blk = p.next(piece);
            if (blk == null) {
              if (p.choked) break;
              k--; // another message (have, keep-alive, unchoke)
              continue;
            }
            if (blk.begin % BLOCK != 0 || blk.begin + blk.data.length > size) continue;
            System.arraycopy(blk.data, 0, data, blk.begin, blk.data.length);
            got.set(blk.begin / BLOCK);
            bytes += blk.data.length;
          }
          while (p.choked) {
            if (System.nanoTime() > deadline) return new Outcome(null, latency, null, bytes, requests, "the node choked the probe (busy)");
            p.next(null);
          }
        }
        dataNanos += System.nanoTime() - t0;
        if (!Arrays.equals(sha1.digest(data), torrent.hash(piece))) {
          return new Outcome(State.CORRUPT, latency, rate(bytes, dataNanos), bytes, requests,
              "piece " + piece + " served by the node does not match its SHA-1");
        }
      }
      return new Outcome(State.VERIFIED, latency, rate(bytes, dataNanos), bytes, requests,
          pieces.size() + " piece(s) of " + torrent.pieces() + " verified (SHA-1) over BitTorrent");
    } catch (SocketTimeoutException e) {
      return new Outcome(latency == null ? State.DOWN : State.SLOW, latency, rate(bytes, dataNanos), bytes, requests,
          "no answer within " + Math.min(timeout.toSeconds(), 10) + " s");
    } catch (IOException e) {
      return new Outcome(State.DOWN, latency, rate(bytes, dataNanos), bytes, requests, "BitTorrent connection: " + e.getMessage());
    } catch (ProtocolException e) {
      return new Outcome(State.CORRUPT, latency, rate(bytes, dataNanos), bytes, requests, "the node broke the protocol: " + e.getMessage());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Double rate(long bytes, long nanos) {
    return bytes > 0 && nanos > 0 ? bytes / (nanos / 1e9) : null;
  }

  /** A 20-byte peer id for a probe site: "-D4CM01-" and the start of the SHA-256 of the site name (stable, not random). */
  public static byte[] peerId(String site) {
    byte[] id = new byte[20];
    byte[] prefix = "-D4CM01-".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(prefix, 0, id, 0, prefix.length);
    byte[] h = org.d4c.core.hash.Hashing.newSha256().digest(site.getBytes(StandardCharsets.UTF_8));
    System.arraycopy(h, 0, id, prefix.length, 20 - prefix.length);
    return id;
  }

  private record Block(int begin, byte[] data) {}

  private static final class ProtocolException extends RuntimeException {
    ProtocolException(String m) {
      super(m);
    }
  }

  /** The peer's side of the connection: its choke state and the pieces it announced. */
  private static final class Peer {
    final DataInputStream in;
    final int pieces;
    final BitSet have;
    boolean choked = true;

    Peer(DataInputStream in, int pieces) {
      this.in = in;
      this.pieces = pieces;
      this.have = new BitSet(pieces);
    }

    /** Reads one message; returns a block of {@code piece} when it was one, else null. */
    Block next(Integer piece) throws IOException {
      int len = in.readInt();
      if (len == 0) return null; // keep-alive
      if (len < 0 || len > Math.max(MAX_MESSAGE, pieces / 8 + 2)) throw new ProtocolException("a message of " + len + " bytes");
      int id = in.readUnsignedByte();
      switch (id) {
        case 0 -> {
          choked = true;
          skip(len - 1);
        }
        case 1 -> {
          choked = false;
          skip(len - 1);
        }
        case 4 -> {
          if (len != 5) throw new ProtocolException("a have message of " + len + " bytes");
          int i = in.readInt();
          if (i < 0 || i >= pieces) throw new ProtocolException("have for piece " + i + " of " + pieces);
          have.set(i);
        }
        case 5 -> {
          byte[] bits = new byte[len - 1];
          in.readFully(bits);
          if (bits.length != (pieces + 7) / 8) throw new ProtocolException("a bitfield of " + bits.length + " bytes for " + pieces + " pieces");
          for (int i = 0; i < pieces; i++) if ((bits[i >> 3] & (0x80 >> (i & 7))) != 0) have.set(i);
        }
        case 7 -> {
          if (len < 9) throw new ProtocolException("a piece message of " + len + " bytes");
          int index = in.readInt();
          int begin = in.readInt();
          byte[] data = new byte[len - 9];
          in.readFully(data);
          if (piece != null && index == piece && begin >= 0) return new Block(begin, data);
        }
        default -> skip(len - 1);
      }
      return null;
    }

    private void skip(int n) throws IOException {
      InputStream s = in;
      long left = n;
      while (left > 0) {
        long k = s.skip(left);
        if (k <= 0) {
          if (s.read() < 0) throw new EOFException();
          k = 1;
        }
        left -= k;
      }
    }
  }

  /** Decodes a node status's {@code held} ranges ("0-5,7,9-12") into piece numbers below {@code pieces}. */
  public static BitSet held(String ranges, int pieces) {
    BitSet b = new BitSet(pieces);
    if (ranges == null || ranges.isBlank()) return b;
    for (String r : ranges.split(",")) {
      String[] ab = r.trim().split("-", 2);
      try {
        int from = Integer.parseInt(ab[0].trim());
        int to = ab.length > 1 ? Integer.parseInt(ab[1].trim()) : from;
        if (from < 0 || to < from || to >= pieces) throw new IllegalArgumentException("held range " + r + " outside 0-" + (pieces - 1));
        b.set(from, to + 1);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("held range " + r + " is not a number or a range");
      }
    }
    return b;
  }
}
