package org.d4c.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared HTTP test server: serves a folder on loopback under a path prefix (default {@code /mirror/}), with byte
 * ranges as RFC 9110 §14 defines them ({@code a-b}, {@code a-}, suffix {@code -n}; 206 with Content-Range, 416 with
 * {@code bytes *}/size when unsatisfiable; several ranges in one request are answered with the whole file, which the
 * RFC allows), HEAD, and HTTP/1.1 keep-alive. Written on plain sockets so that a fault can do what a broken server
 * does: close the connection before or in the middle of a response, stall, or refuse connections altogether.
 *
 * <p>Faults are switched per path ({@link #fault(String, Fault)}, the path relative to the prefix) or for every path
 * ({@link #fault(Fault)}); a path's own fault wins. Every request is recorded ({@link #requests()}) with its path,
 * range, status and the body bytes actually sent, so a test can assert what a client fetched.
 */
public final class FaultServer implements AutoCloseable {
  /** What the server does instead of (or while) serving a path. */
  public sealed interface Fault {
    /** Close the connection without a response (to the client: connection reset / closed). */
    static Fault down() {
      return new Down();
    }

    /** Answer with this status (5xx, 404, ...) and no body. */
    static Fault status(int code) {
      return new Status(code);
    }

    /** 429 Too Many Requests with {@code Retry-After: seconds}. */
    static Fault tooMany(int retryAfterSeconds) {
      return new TooMany(retryAfterSeconds);
    }

    /**
     * Busy: answer {@code status} (429 or 503) with {@code Retry-After: retryAfterSeconds} (none when negative) to the
     * first {@code times} requests, then serve normally.
     */
    static Fault busy(int status, int retryAfterSeconds, int times) {
      return new Busy(status, retryAfterSeconds, new java.util.concurrent.atomic.AtomicInteger(times));
    }

    /** Serve at most this many body bytes per second (per connection). */
    static Fault slow(long bytesPerSecond) {
      return new Slow(bytesPerSecond);
    }

    /** Announce the full length, send only this many body bytes, then close. */
    static Fault shortRead(long bodyBytes) {
      return new ShortRead(bodyBytes);
    }

    /** Flip one byte (xor 0xff) at this offset of the file whenever a response covers it. */
    static Fault wrongByte(long fileOffset) {
      return new WrongByte(fileOffset);
    }

    /** Flip every byte served. */
    static Fault corrupt() {
      return new WrongByte(-1);
    }

    /** 302 to {@code base} + the path relative to the prefix. */
    static Fault redirect(String base) {
      return new Redirect(base);
    }
  }

  public record Down() implements Fault {}

  public record Status(int code) implements Fault {}

  public record TooMany(int retryAfterSeconds) implements Fault {}

  /** {@code left}: how many more requests get the busy answer. */
  public record Busy(int status, int retryAfterSeconds, java.util.concurrent.atomic.AtomicInteger left) implements Fault {}

  public record Slow(long bytesPerSecond) implements Fault {}

  public record ShortRead(long bodyBytes) implements Fault {}

  /** {@code fileOffset} -1: every byte. */
  public record WrongByte(long fileOffset) implements Fault {}

  public record Redirect(String base) implements Fault {}

  /** One request as served: {@code range} is the Range header or null, {@code bytes} the body bytes written. */
  public record Request(String method, String path, String range, int status, long bytes) {
    @Override
    public String toString() {
      return method + " " + path + " " + range;
    }
  }

  private static final Pattern ONE_RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
  private final Path root;
  private final String prefix;
  private final InetAddress bindAddress;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Fault> pathFaults = new ConcurrentHashMap<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fault-server");
    t.setDaemon(true);
    return t;
  });
  private volatile Fault globalFault;
  private volatile ServerSocket listener;
  private final int port;

  /** Serves {@code root} under {@code /mirror/} on 127.0.0.1, a free port. */
  public FaultServer(Path root) throws IOException {
    this(root, "/mirror/");
  }

  public FaultServer(Path root, String prefix) throws IOException {
    if (!prefix.startsWith("/") || !prefix.endsWith("/")) throw new IllegalArgumentException("prefix must start and end with /: " + prefix);
    this.root = root.toAbsolutePath().normalize();
    this.prefix = prefix;
    this.bindAddress = InetAddress.getLoopbackAddress();
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(bindAddress, 0), 128);
    this.port = s.getLocalPort();
    startListening(s);
  }

  public int port() {
    return port;
  }

  /** The folder's URL on the given host name (127.0.0.1 or localhost), ending in the prefix. */
  public String base(String host) {
    return "http://" + host + ":" + port + prefix;
  }

  public String base() {
    return base("127.0.0.1");
  }

  /** A fault for every path (null: none). */
  public FaultServer fault(Fault f) {
    globalFault = f;
    return this;
  }

  /** A fault for one path relative to the prefix, e.g. {@code "roads-1.0.0/data.parquet"} (null: none). */
  public FaultServer fault(String path, Fault f) {
    if (f == null) pathFaults.remove(path);
    else pathFaults.put(path, f);
    return this;
  }

  /** Clears every fault and accepts connections again. */
  public FaultServer clear() {
    globalFault = null;
    pathFaults.clear();
    refuse(false);
    return this;
  }

  /**
   * Refuse connections (the listening socket is closed: connection refused) or accept them again on the same port.
   * Connections already open are closed too.
   */
  public synchronized FaultServer refuse(boolean refuse) {
    try {
      if (refuse && listener != null) {
        listener.close();
        listener = null;
        for (Socket s : open) closeQuietly(s);
      } else if (!refuse && listener == null) {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(bindAddress, port), 128);
        startListening(s);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on port " + port + " again", e);
    }
    return this;
  }

  /** The requests served so far, in order. */
  public List<Request> requests() {
    return requests;
  }

  /** Body bytes sent for the path (relative to the prefix). */
  public long bytesServed(String path) {
    return requests.stream().filter(r -> r.path().equals(prefix + path)).mapToLong(Request::bytes).sum();
  }

  /** Body bytes sent for every path. */
  public long bytesServed() {
    return requests.stream().mapToLong(Request::bytes).sum();
  }

  private synchronized void startListening(ServerSocket s) {
    listener = s;
    Thread t = new Thread(() -> acceptLoop(s), "fault-server-accept-" + port);
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket c = s.accept();
        open.add(c);
        pool.execute(() -> connection(c));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void connection(Socket c) {
    try (c) {
      c.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(c.getInputStream(), 8192);
      OutputStream out = c.getOutputStream();
      while (true) {
        String line = readLine(in);
        if (line == null || line.isEmpty()) return;
        String[] parts = line.split(" ");
        if (parts.length != 3) return;
        Map<String, String> headers = new ConcurrentHashMap<>();
        for (String h; (h = readLine(in)) != null && !h.isEmpty(); ) {
          int colon = h.indexOf(':');
          if (colon > 0) headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        if (!respond(parts[0], parts[1], headers, out)) return;
        if ("close".equalsIgnoreCase(headers.get("connection"))) return;
      }
    } catch (IOException e) {
      // the client went away
    } finally {
      open.remove(c);
    }
  }

  /** @return false when the connection must be closed */
  private boolean respond(String method, String target, Map<String, String> headers, OutputStream out) throws IOException {
    int q = target.indexOf('?');
    String rawPath = q < 0 ? target : target.substring(0, q);
    String range = headers.get("range");
    if (!rawPath.startsWith(prefix)) {
      record(method, rawPath, range, 404, 0);
      head(out, 404, Map.of(), 0);
      return true;
    }
    String rel = URLDecoder.decode(rawPath.substring(prefix.length()), StandardCharsets.UTF_8);
    Fault fault = pathFaults.getOrDefault(rel, globalFault);
    if (fault instanceof Down) {
      record(method, rawPath, range, 0, 0);
      return false;
    }
    if (fault instanceof Status st) {
      record(method, rawPath, range, st.code(), 0);
      head(out, st.code(), Map.of(), 0);
      return true;
    }
    if (fault instanceof TooMany tm) {
      record(method, rawPath, range, 429, 0);
      head(out, 429, Map.of("Retry-After", Integer.toString(tm.retryAfterSeconds())), 0);
      return true;
    }
    if (fault instanceof Busy b && b.left().getAndDecrement() > 0) {
      record(method, rawPath, range, b.status(), 0);
      head(out, b.status(), b.retryAfterSeconds() < 0 ? Map.of() : Map.of("Retry-After", Integer.toString(b.retryAfterSeconds())), 0);
      return true;
    }
    if (fault instanceof Redirect rd) {
      record(method, rawPath, range, 302, 0);
      head(out, 302, Map.of("Location", rd.base() + rawPath.substring(prefix.length())), 0);
      return true;
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      record(method, rawPath, range, 405, 0);
      head(out, 405, Map.of("Allow", "GET, HEAD"), 0);
      return true;
    }
    Path f = root.resolve(rel).normalize();
    if (!f.startsWith(root) || !Files.isRegularFile(f)) {
      record(method, rawPath, range, 404, 0);
      head(out, 404, Map.of(), 0);
      return true;
    }
    long size = Files.size(f);
    long from = 0;
    long to = size - 1;
    int status = 200;
    Map<String, String> h = new java.util.TreeMap<>();
    h.put("Accept-Ranges", "bytes");
    h.put("Content-Type", "application/octet-stream");
    if (range != null) {
      long[] r = parseRange(range.trim(), size);
      if (r == null) {
        record(method, rawPath, range, 416, 0);
        head(out, 416, Map.of("Content-Range", "bytes */" + size), 0);
        return true;
      }
      if (r.length == 2) {
        from = r[0];
        to = r[1];
        status = 206;
        h.put("Content-Range", "bytes " + from + "-" + to + "/" + size);
      }
    }
    long length = to - from + 1;
    head(out, status, h, length);
    if (method.equals("HEAD")) {
      record(method, rawPath, range, status, 0);
      return true;
    }
    long limit = fault instanceof ShortRead sr ? Math.min(sr.bodyBytes(), length) : length;
    long perSecond = fault instanceof Slow sl ? sl.bytesPerSecond() : 0;
    long flipAt = fault instanceof WrongByte wb ? wb.fileOffset() : -2;
    long sent = 0;
    try (FileChannel ch = FileChannel.open(f)) {
      ByteBuffer buf = ByteBuffer.allocate(perSecond > 0 ? (int) Math.max(1, Math.min(64 * 1024, perSecond / 20)) : 256 * 1024);
      long started = System.nanoTime();
      while (sent < limit) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), limit - sent));
        int n = ch.read(buf, from + sent);
        if (n <= 0) break;
        byte[] a = buf.array();
        if (flipAt == -1) {
          for (int i = 0; i < n; i++) a[i] ^= (byte) 0xff;
        } else if (flipAt >= from + sent && flipAt < from + sent + n) {
          a[(int) (flipAt - from - sent)] ^= (byte) 0xff;
        }
        out.write(a, 0, n);
        sent += n;
        if (perSecond > 0) {
          out.flush();
          long due = started + sent * 1_000_000_000L / perSecond;
          long wait = due - System.nanoTime();
          if (wait > 0) sleepNanos(wait);
        }
      }
      out.flush();
    } catch (SocketException e) {
      record(method, rawPath, range, status, sent);
      return false;
    }
    record(method, rawPath, range, status, sent);
    return sent == length;
  }

  /**
   * {from, to} for one satisfiable range, {} to serve the whole file (several ranges, or a header this server does not
   * understand: RFC 9110 lets a server ignore Range), null when unsatisfiable (416).
   */
  static long[] parseRange(String header, long size) {
    if (header.contains(",")) return new long[0];
    Matcher m = ONE_RANGE.matcher(header);
    if (!m.matches()) return new long[0];
    String a = m.group(1);
    String b = m.group(2);
    if (a.isEmpty() && b.isEmpty()) return new long[0];
    if (a.isEmpty()) { // suffix: the last n bytes
      long n = Long.parseLong(b);
      if (n == 0 || size == 0) return null;
      return new long[] {Math.max(0, size - n), size - 1};
    }
    long from = Long.parseLong(a);
    if (from >= size) return null;
    long to = b.isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(b));
    if (to < from) return new long[0]; // invalid: ignored
    return new long[] {from, to};
  }

  private void record(String method, String path, String range, int status, long bytes) {
    requests.add(new Request(method, path, range, status, bytes));
  }

  private static void head(OutputStream out, int status, Map<String, String> headers, long length) throws IOException {
    StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (Map.Entry<String, String> e : headers.entrySet()) sb.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
    sb.append("Content-Length: ").append(length).append("\r\n\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (length == 0 || status >= 300) out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 206 -> "Partial Content";
      case 302 -> "Found";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 416 -> "Range Not Satisfiable";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b; (b = in.read()) != -1; ) {
      if (b == '\n') {
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
        return sb.toString();
      }
      if (sb.length() > 16 * 1024) throw new IOException("header line too long");
      sb.append((char) b);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    refuse(true);
    pool.shutdownNow();
  }

  /** For a test's message: the requests as lines. */
  public List<String> requestLines() {
    List<String> l = new ArrayList<>();
    for (Request r : requests) l.add(r.toString());
    return l;
  }
}
