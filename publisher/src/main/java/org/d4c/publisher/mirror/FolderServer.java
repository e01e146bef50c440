package org.d4c.publisher.mirror;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.d4c.core.net.HostPort;
import org.d4c.core.web.Limits;
import org.d4c.core.web.WebServer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * Serves a folder over HTTP, read-only, the way a BEP 19 web seed needs it: GET and HEAD with byte ranges per
 * RFC 9110 (Jetty's {@link ResourceHandler}: 206 for a satisfiable range, suffix ranges {@code bytes=-N} included,
 * 416 for an unsatisfiable one), percent-decoded paths, nothing outside the folder (no {@code ..}, no symbolic
 * links: Jetty refuses aliases), no directory listings. Runs on {@link WebServer} with {@link Limits#files()}, bound
 * to 127.0.0.1 unless told otherwise. A {@code type: local} mirror is published through it ({@code d4c serve}), and
 * the demo fetches its data back through it.
 */
public final class FolderServer implements AutoCloseable {
  private final WebServer server;
  private final String context;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private FolderServer(Path root, HostPort bind, String context, Limits limits) throws IOException {
    this.context = context;
    Path real = root.toRealPath();
    ResourceHandler files = new ResourceHandler();
    files.setBaseResource(ResourceFactory.root().newResource(real));
    files.setDirAllowed(false);
    files.setAcceptRanges(true);
    files.setEtags(true);
    files.setWelcomeFiles(List.of());
    String path = context.equals("/") ? "/" : context.substring(0, context.length() - 1);
    ContextHandler ctx = new ContextHandler(files, path);
    // The release files' types (MediaTypes), looked up by the context the resource handler runs in.
    MimeTypes.Mutable types = ctx.getMimeTypes();
    for (String ext : List.of("parquet", "json", "jsonl", "ndjson", "torrent", "tgz", "gz", "yaml", "yml")) {
      types.addMimeMapping(ext, MediaTypes.of("x." + ext));
    }
    ctx.setAllowNullPathInContext(false);
    this.server = WebServer.start("d4c-serve", bind, limits, new Recorder(ctx));
  }

  /** Serves {@code root} at {@code http://host:port<context>} ({@code context} starts and ends with /; port 0: any). */
  public static FolderServer start(Path root, String host, int port, String context) throws IOException {
    return start(root, new HostPort(host, port), context, Limits.files());
  }

  public static FolderServer start(Path root, HostPort bind, String context, Limits limits) throws IOException {
    if (!context.startsWith("/") || !context.endsWith("/")) throw new IllegalArgumentException("context must start and end with /");
    return new FolderServer(root, bind, context, limits);
  }

  public int port() {
    return server.port();
  }

  /** The base URL, ending in /. */
  public String url() {
    return server.origin() + context;
  }

  /** Every request as {@code METHOD path range} (tests check that ranges were asked for). */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Records the request, and answers 405 to anything but GET and HEAD. */
  private final class Recorder extends Handler.Wrapper {
    Recorder(Handler next) {
      super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String range = request.getHeaders().get(HttpHeader.RANGE);
      String method = request.getMethod();
      requests.add(method + " " + request.getHttpURI().getPath() + (range == null ? "" : " " + range));
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        return WebServer.text(response, callback, 405, "text/plain; charset=utf-8", "only GET and HEAD\n");
      }
      return super.handle(request, response, callback);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
