package org.d4c.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What a hostile or unlucky client does to a d4c server, over raw sockets so nothing is smoothed over by an HTTP
 * client: sockets that send headers one slow byte at a time, many requests at once, raw request lines with NULs or
 * odd ranges. Several loopback addresses (127.0.0.2, 127.0.0.3, ...) act as distinct clients.
 */
public final class ServerAbuse implements Closeable {
  private final List<Socket> held = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(32, r -> {
    Thread t = new Thread(r, "abuse");
    t.setDaemon(true);
    return t;
  });

  /** Opens {@code n} sockets from {@code from} that send half a request line and then nothing; returns how many opened. */
  public int slowHeaders(String from, int port, int n) {
    int opened = 0;
    for (int i = 0; i < n; i++) {
      try {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.getOutputStream().write("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        synchronized (held) {
          held.add(s);
        }
        opened++;
      } catch (IOException e) {
        // a refused or reset socket is one the server did not let in: fine
      }
    }
    return opened;
  }

  /** How many of the held slow sockets the server has closed (a read returns end of stream or an error). */
  public int closedByServer() {
    int closed = 0;
    synchronized (held) {
      for (Socket s : held) {
        try {
          s.setSoTimeout(1);
          if (s.getInputStream().read() < 0) closed++;
        } catch (java.net.SocketTimeoutException e) {
          // still open
        } catch (IOException e) {
          closed++;
        }
      }
    }
    return closed;
  }

  /** Starts {@code n} plain GETs of {@code path} from {@code from}; returns the count per status (-1: no answer). */
  public Future<Map<Integer, Integer>> flood(String from, int port, String path, int n) {
    return pool.submit(() -> {
      List<Future<Integer>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) all.add(pool.submit(() -> status(request(from, port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 10_000))));
      Map<Integer, Integer> counts = new TreeMap<>();
      for (Future<Integer> f : all) {
        int code;
        try {
          code = f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          code = -1;
        }
        counts.merge(code, 1, Integer::sum);
      }
      return counts;
    });
  }

  /** Sends raw bytes from {@code from} and reads the whole answer (empty when the server dropped the socket). */
  public static String request(String from, int port, String raw, int timeoutMillis) {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int r; (r = in.read(buf)) > 0; ) {
          got.write(buf, 0, r);
          if (got.size() > 1 << 20) break;
        }
      } catch (IOException e) {
        // a reset after some bytes: keep what came
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }

  /** The status code of a raw answer, -1 when there was none. */
  public static int status(String answer) {
    if (!answer.startsWith("HTTP/1.1 ") || answer.length() < 12) return -1;
    return Integer.parseInt(answer.substring(9, 12));
  }

  /** A header's value in a raw answer, or null. */
  public static String header(String answer, String name) {
    for (String line : answer.split("\r\n")) {
      if (line.isEmpty()) break;
      int c = line.indexOf(':');
      if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) return line.substring(c + 1).strip();
    }
    return null;
  }

  @Override
  public void close() {
    synchronized (held) {
      for (Socket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
      held.clear();
    }
    pool.shutdownNow();
  }
}
