package org.d4c.publisher.mirror;

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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves a folder over HTTP, read-only, the way a BEP 19 web seed needs it: GET and HEAD with a single byte range
 * (206, or 416 past the end), {@code Accept-Ranges: bytes}, percent-decoded paths, nothing outside the folder (no
 * {@code ..}, no symbolic links out). Binds to 127.0.0.1 unless told otherwise. A {@code type: local} mirror is
 * published through it ({@code d4c serve}), and the demo fetches its data back through it.
 */
public final class FolderServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

  private final HttpServer server;
  private final ExecutorService pool;
  private final Path root;
  private final String context;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private FolderServer(Path root, String host, int port, String context) throws IOException {
    this.root = root.toRealPath();
    this.context = context;
    this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
    this.pool = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "d4c-serve");
      t.setDaemon(true);
      return t;
    });
    server.createContext(context, this::serve);
    server.setExecutor(pool);
    server.start();
  }

  /** Serves {@code root} at {@code http://host:port<context>} ({@code context} starts and ends with /; port 0: any). */
  public static FolderServer start(Path root, String host, int port, String context) throws IOException {
    if (!context.startsWith("/") || !context.endsWith("/")) throw new IllegalArgumentException("context must start and end with /");
    return new FolderServer(root, host, port, context);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The base URL, ending in /. */
  public String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port() + context;
  }

  /** Every request as {@code METHOD path range} (tests check that ranges were asked for). */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String range = ex.getRequestHeaders().getFirst("Range");
      requests.add(method + " " + ex.getRequestURI().getRawPath() + (range == null ? "" : " " + range));
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        ex.sendResponseHeaders(405, -1);
        return;
      }
      String rel = URLDecoder.decode(ex.getRequestURI().getRawPath().substring(context.length()), StandardCharsets.UTF_8);
      Path f = root.resolve(rel).normalize();
      if (rel.contains("\\") || !f.startsWith(root) || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
          || !f.toRealPath().startsWith(root)) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      long size = Files.size(f);
      long from = 0;
      long to = size - 1;
      int status = 200;
      if (range != null) {
        Matcher m = RANGE.matcher(range.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) >= size) {
          ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
          ex.sendResponseHeaders(416, -1);
          return;
        }
        from = Long.parseLong(m.group(1));
        if (!m.group(2).isEmpty()) to = Math.min(to, Long.parseLong(m.group(2)));
        if (to < from) {
          ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
          ex.sendResponseHeaders(416, -1);
          return;
        }
        status = 206;
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
      }
      long length = to - from + 1;
      ex.getResponseHeaders().set("Accept-Ranges", "bytes");
      ex.getResponseHeaders().set("Content-Type", MediaTypes.of(f.getFileName().toString()));
      if ("HEAD".equals(method)) {
        ex.getResponseHeaders().set("Content-Length", Long.toString(length));
        ex.sendResponseHeaders(status, -1);
        return;
      }
      ex.sendResponseHeaders(status, length == 0 ? -1 : length);
      try (FileChannel ch = FileChannel.open(f); OutputStream out = ex.getResponseBody()) {
        long done = 0;
        var target = Channels.newChannel(out);
        while (done < length) done += ch.transferTo(from + done, length - done, target);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
