package org.d4c.seeder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A range-capable HTTP mirror on loopback serving a folder under {@code /mirror/}: 206 for one byte range, 200 without.
 * Switches: {@link #down} (every request 503), {@link #corrupt} (every body byte flipped), {@link #redirectTo} (302 to
 * that base + the path).
 */
public final class MirrorServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
  public final List<String> requests = new CopyOnWriteArrayList<>();
  public volatile boolean down;
  public volatile boolean corrupt;
  public volatile String redirectTo;
  private final HttpServer server;
  private final Path root;

  public MirrorServer(Path root) throws IOException {
    this(root, "127.0.0.1");
  }

  /** A mirror bound to {@code host} (another address than loopback: a bridge the test made). */
  public MirrorServer(Path root, String host) throws IOException {
    this.root = root;
    server = HttpServer.create(new InetSocketAddress(host, 0), 0);
    server.createContext("/mirror/", this::serve);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The BEP 19 base, on the given host name (127.0.0.1 or localhost). */
  public String base(String host) {
    return "http://" + host + ":" + port() + "/mirror/";
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String rel = URLDecoder.decode(ex.getRequestURI().getRawPath().substring("/mirror/".length()), StandardCharsets.UTF_8);
      String range = ex.getRequestHeaders().getFirst("Range");
      requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + " " + range);
      if (down) {
        ex.sendResponseHeaders(503, -1);
        return;
      }
      if (redirectTo != null) {
        ex.getResponseHeaders().set("Location", redirectTo + ex.getRequestURI().getRawPath().substring("/mirror/".length()));
        ex.sendResponseHeaders(302, -1);
        return;
      }
      Path f = root.resolve(rel).normalize();
      if (!f.startsWith(root) || !Files.isRegularFile(f)) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      long size = Files.size(f);
      long from = 0;
      long to = size - 1;
      int status = 200;
      if (range != null) {
        Matcher mm = RANGE.matcher(range.trim());
        if (!mm.matches() || Long.parseLong(mm.group(1)) >= size) {
          ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
          ex.sendResponseHeaders(416, -1);
          return;
        }
        from = Long.parseLong(mm.group(1));
        if (!mm.group(2).isEmpty()) to = Math.min(to, Long.parseLong(mm.group(2)));
        status = 206;
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
      }
      long length = to - from + 1;
      ex.getResponseHeaders().set("Accept-Ranges", "bytes");
      if ("HEAD".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Content-Length", Long.toString(length));
        ex.sendResponseHeaders(status, -1);
        return;
      }
      ex.sendResponseHeaders(status, length == 0 ? -1 : length);
      try (OutputStream out = ex.getResponseBody()) {
        if (corrupt) {
          byte[] b = new byte[(int) length];
          try (FileChannel ch = FileChannel.open(f)) {
            ch.read(java.nio.ByteBuffer.wrap(b), from);
          }
          for (int i = 0; i < b.length; i++) b[i] ^= 0x5a;
          out.write(b);
        } else {
          try (FileChannel ch = FileChannel.open(f)) {
            ch.transferTo(from, length, Channels.newChannel(out));
          }
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
