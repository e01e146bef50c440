package org.d4c.core.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * The one HTTP client policy of d4c, for every fetch of a remote file or URL (sources, catalogs, torrents, mirrors'
 * public URLs, web seeds): GET and HEAD with redirects followed by hand (at most {@value #MAX_REDIRECTS}), so that
 * every hop is checked against an {@link AddressPolicy}. A URL the user wrote may point anywhere (a campus mirror on a
 * private address, a test server on loopback); but when it starts on a public address, no redirect may lead to a
 * loopback, link-local (169.254.169.254, the cloud metadata service), private or unspecified address
 * ({@link RedirectRefusedException}), and no redirect may go from https down to http. Only http and https are
 * followed. The check resolves the host before the request does; a DNS answer that changes between the two is not
 * caught (pinning the address would need a client that connects to a given IP).
 */
public final class SafeHttp {
  public static final int MAX_REDIRECTS = 5;
  private volatile HttpClient client;
  private final AddressPolicy policy;
  private final Duration timeout;

  public SafeHttp(AddressPolicy policy, Duration timeout) {
    this.policy = policy;
    this.timeout = timeout;
  }

  /** Made on first use: building one sets up TLS (the trust store), a second of start-up that {@link #download} skips. */
  private HttpClient client() {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) client = c = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
      }
    }
    return c;
  }

  /** A refused redirect. */
  public static final class RedirectRefusedException extends IOException {
    public RedirectRefusedException(String message) {
      super(message);
    }
  }

  /** A response: the status, the body (empty for HEAD), the final URL and headers of interest. */
  public record Response(int status, byte[] body, URI finalUri, long contentLength) {}

  public Response get(URI uri, String range, long maxBytes) throws IOException {
    return send(uri, "GET", range, maxBytes);
  }

  public Response head(URI uri) throws IOException {
    return send(uri, "HEAD", null, 0);
  }

  /** The default policy with a timeout for connecting and for the response headers. */
  public static SafeHttp standard(Duration timeout) {
    return new SafeHttp(AddressPolicy.DEFAULT, timeout);
  }

  /** A streamed response after the redirects: the caller reads and closes {@code body}. */
  public record Stream(int status, InputStream body, URI finalUri, java.net.http.HttpHeaders headers) implements java.io.Closeable {
    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  /** GET with the body streamed (large files); headers are name, value pairs. */
  public Stream open(URI uri, String... headers) throws IOException {
    URI current = uri;
    boolean startPublic = isPublic(uri);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (hop > 0) check(uri, current, startPublic);
      else scheme(current);
      HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(timeout).GET();
      if (headers.length > 0) b.headers(headers);
      HttpResponse<InputStream> r = call(b.build());
      int code = r.statusCode();
      if (isRedirect(code)) {
        r.body().close();
        current = next(uri, current, r);
        continue;
      }
      return new Stream(code, r.body(), current, r.headers());
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
  }

  /**
   * A ranged GET whose body the caller reads straight into its own buffer (no copy of the body is kept here): over a
   * blocking {@link java.net.HttpURLConnection}, which reads from the socket into the caller's array and keeps the
   * connection alive for the next request when the body was read to its end and closed. Redirects are followed by
   * hand under the same policy as {@link #get}. {@link Download#abort()} closes the connection (a blocked read ends).
   */
  public Download download(URI uri, String range) throws IOException {
    boolean startPublic = isPublic(uri);
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (hop > 0) check(uri, current, startPublic);
      else scheme(current);
      java.net.HttpURLConnection c = (java.net.HttpURLConnection) current.toURL().openConnection(java.net.Proxy.NO_PROXY);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
      c.setConnectTimeout(ms);
      c.setReadTimeout(ms);
      if (range != null) c.setRequestProperty("Range", range);
      c.setRequestProperty("Accept-Encoding", "identity");
      int code;
      try {
        code = c.getResponseCode();
      } catch (IOException e) {
        c.disconnect();
        throw e;
      }
      if (isRedirect(code)) {
        String loc = c.getHeaderField("Location");
        drain(c);
        if (loc == null) throw new IOException("redirect without Location from " + uri);
        try {
          current = current.resolve(loc);
        } catch (IllegalArgumentException e) {
          throw new IOException("bad redirect Location from " + current.getHost() + ": " + e.getMessage());
        }
        continue;
      }
      return new Download(c, code, current);
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
  }

  /** The answer to a POST: its status and body (at most 64 KiB). */
  public record Posted(int status, byte[] body) {}

  /**
   * POSTs {@code body} (a report to a status monitor). No redirect is followed. A URL that a remote document chose
   * ({@code remoteChosen}, e.g. a status.json's monitor) must resolve to public addresses only; one the user wrote
   * may point anywhere.
   */
  public Posted post(URI uri, String contentType, byte[] body, boolean remoteChosen) throws IOException {
    scheme(uri);
    if (remoteChosen && !isPublic(uri)) {
      throw new RedirectRefusedException("refused to send to the non-public address " + uri.getHost() + " named by a remote document");
    }
    java.net.HttpURLConnection c = (java.net.HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
    try {
      c.setInstanceFollowRedirects(false);
      int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
      c.setConnectTimeout(ms);
      c.setReadTimeout(ms);
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(body.length);
      c.setRequestProperty("Content-Type", contentType);
      try (java.io.OutputStream out = c.getOutputStream()) {
        out.write(body);
      }
      int code = c.getResponseCode();
      try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
        return new Posted(code, in == null ? new byte[0] : in.readNBytes(64 * 1024));
      }
    } finally {
      c.disconnect();
    }
  }

  /** Reads what is left of a short (error or redirect) body so that the connection can be used again. */
  private static void drain(java.net.HttpURLConnection c) {
    try (InputStream in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) in.readNBytes(64 * 1024);
    } catch (IOException e) {
      c.disconnect();
    }
  }

  /** An open ranged response: read {@link #body()} to its end, then close; {@link #abort()} from another thread. */
  public static final class Download implements java.io.Closeable {
    private final java.net.HttpURLConnection conn;
    private final int status;
    private final URI finalUri;
    private InputStream body;
    private volatile boolean aborted;

    Download(java.net.HttpURLConnection conn, int status, URI finalUri) {
      this.conn = conn;
      this.status = status;
      this.finalUri = finalUri;
    }

    public int status() {
      return status;
    }

    public URI finalUri() {
      return finalUri;
    }

    public long contentLength() {
      return conn.getContentLengthLong();
    }

    public String header(String name) {
      return conn.getHeaderField(name);
    }

    /**
     * The server's {@code Retry-After} (delay seconds or an HTTP date) in milliseconds from {@code nowMillis}, or -1
     * when absent or unreadable.
     */
    public long retryAfterMillis(long nowMillis) {
      return SafeHttp.retryAfterMillis(header("Retry-After"), nowMillis);
    }

    /** The body (the error body for 4xx/5xx, possibly empty). */
    public InputStream body() throws IOException {
      if (body == null) {
        InputStream in = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
        body = in == null ? InputStream.nullInputStream() : in;
      }
      return body;
    }

    /** Closes the connection at once, from any thread: a read blocked on it ends with an IOException. */
    public void abort() {
      aborted = true;
      conn.disconnect();
    }

    /** Closes the body: the connection is kept for the next request when the body was read to its end. */
    @Override
    public void close() {
      if (aborted) return;
      try {
        if (status >= 300) drain(conn);
        else body().close();
      } catch (IOException e) {
        conn.disconnect();
      }
    }
  }

  /** {@code Retry-After} as milliseconds from {@code nowMillis}: delay-seconds or an IMF-fixdate; -1 when absent or bad. */
  public static long retryAfterMillis(String value, long nowMillis) {
    if (value == null || value.isBlank()) return -1;
    String v = value.trim();
    if (v.matches("\\d{1,9}")) return Long.parseLong(v) * 1000;
    try {
      long at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return Math.max(0, at - nowMillis);
    } catch (java.time.format.DateTimeParseException e) {
      return -1;
    }
  }

  private Response send(URI uri, String method, String range, long maxBytes) throws IOException {
    boolean startPublic = isPublic(uri);
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (hop > 0) check(uri, current, startPublic);
      else scheme(current);
      HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(timeout).method(method, HttpRequest.BodyPublishers.noBody());
      if (range != null) b.header("Range", range);
      HttpResponse<InputStream> r = call(b.build());
      try (InputStream in = r.body()) {
        int code = r.statusCode();
        if (isRedirect(code)) {
          current = next(uri, current, r);
          continue;
        }
        long len = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        byte[] body = method.equals("HEAD") ? new byte[0] : in.readNBytes((int) Math.min(maxBytes, Integer.MAX_VALUE - 8));
        return new Response(code, body, current, len);
      }
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
  }

  private static boolean isRedirect(int code) {
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }

  private static URI next(URI start, URI current, HttpResponse<?> r) throws IOException {
    String loc = r.headers().firstValue("Location").orElseThrow(() -> new IOException("redirect without Location from " + start));
    try {
      return current.resolve(loc);
    } catch (IllegalArgumentException e) {
      throw new IOException("bad redirect Location from " + current.getHost() + ": " + e.getMessage());
    }
  }

  private static String scheme(URI u) throws IOException {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) throw new IOException("not an http(s) URL: " + u);
    return scheme;
  }

  private void check(URI start, URI hop, boolean startPublic) throws IOException {
    String scheme;
    try {
      scheme = scheme(hop);
    } catch (IOException e) {
      throw new RedirectRefusedException("refused redirect from " + start.getHost() + " to a non-http(s) URL");
    }
    if ("https".equalsIgnoreCase(start.getScheme()) && scheme.equals("http")) {
      throw new RedirectRefusedException("refused redirect from https://" + start.getHost() + " down to plain http://" + hop.getHost());
    }
    if (startPublic && !isPublic(hop)) {
      throw new RedirectRefusedException("refused redirect from the public host " + start.getHost() + " to the non-public address "
          + hop.getHost() + " (write that address in the URL yourself if you mean it)");
    }
  }

  private HttpResponse<InputStream> call(HttpRequest request) throws IOException {
    try {
      return client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  /** True when every address the host resolves to is public under the policy. */
  boolean isPublic(URI uri) throws IOException {
    String host = uri.getHost();
    if (host == null) throw new IOException("no host in " + uri);
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new IOException("unknown host " + host);
    }
    for (InetAddress a : all) if (!policy.isPublic(host, a)) return false;
    return true;
  }
}
