package org.d4c.publisher.mirror;

import static org.d4c.testing.ServerAbuse.header;
import static org.d4c.testing.ServerAbuse.request;
import static org.d4c.testing.ServerAbuse.status;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.d4c.core.net.HostPort;
import org.d4c.core.web.Limits;
import org.d4c.testing.ServerAbuse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code d4c serve}'s server against odd requests and hostile load, over raw sockets. */
class FolderServerIT {
  @TempDir Path dir;

  private FolderServer serve(Limits limits) throws Exception {
    Path root = Files.createDirectories(dir.resolve("mirror"));
    Files.writeString(root.resolve("data.parquet"), "0123456789abcdefghijklmnopqrstuvwxyz", StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve("secret.txt"), "outside");
    Files.createSymbolicLink(root.resolve("link.txt"), dir.resolve("secret.txt"));
    return FolderServer.start(root, new HostPort("127.0.0.1", 0), "/", limits);
  }

  private static String get(int port, String path, String... headers) {
    return request("127.0.0.1", port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + String.join("", headers)
        + "Connection: close\r\n\r\n", 5000);
  }

  @Test
  void rangesFollowRfc9110AndBadPathsGetAnAnswer() throws Exception {
    try (FolderServer s = serve(Limits.files())) {
      int p = s.port();
      String suffix = get(p, "/data.parquet", "Range: bytes=-10\r\n");
      assertThat(suffix, status(suffix), is(206));
      assertThat(suffix, endsWith("qrstuvwxyz"));
      assertThat(header(suffix, "Content-Range"), is("bytes 26-35/36"));
      String open = get(p, "/data.parquet", "Range: bytes=30-\r\n");
      assertThat(status(open), is(206));
      assertThat(open, endsWith("uvwxyz"));
      String past = get(p, "/data.parquet", "Range: bytes=36-40\r\n");
      assertThat(past, status(past), is(416));
      assertThat(header(past, "Content-Range"), is("bytes */36"));
      String huge = get(p, "/data.parquet", "Range: bytes=99999999999999999999999-\r\n");
      assertThat(huge, status(huge), allOf(greaterThanOrEqualTo(200), lessThan(500)));
      String whole = get(p, "/data.parquet");
      assertThat(whole, header(whole, "Content-Type"), startsWith(MediaTypes.PARQUET));
      for (String bad : new String[] {"/data%00.parquet", "/%00", "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
          "/link.txt", "/nothing", "/"}) {
        String r = get(p, bad);
        assertThat(bad + " -> " + r, status(r), allOf(greaterThanOrEqualTo(400), lessThan(500)));
        assertThat(r, not(containsString("outside")));
      }
      String post = request("127.0.0.1", p, "POST /data.parquet HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 5000);
      assertThat(status(post), is(405));
      String bigHeader = get(p, "/data.parquet", "X-Big: " + "a".repeat(20_000) + "\r\n");
      assertThat(bigHeader, status(bigHeader), is(431));
    }
  }

  @Test
  void rateLimitAnswers429WithRetryAfter() throws Exception {
    try (FolderServer s = serve(Limits.files().withRate(1, 3))) {
      int last = 0;
      String r = "";
      for (int i = 0; i < 5; i++) {
        r = get(s.port(), "/data.parquet");
        last = status(r);
      }
      assertThat(last, is(429));
      assertThat(Integer.parseInt(header(r, "Retry-After")), greaterThanOrEqualTo(1));
      assertThat(header(r, "RateLimit"), containsString("r=0"));
      // another client address is not limited by the first one's requests
      assertThat(status(request("127.0.0.2", s.port(), "GET /data.parquet HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000)), is(200));
    }
  }

  @Test
  void slowHeadersAreCutAndOneClientCannotHoldEverySocket() throws Exception {
    Limits limits = Limits.files().withHeaderTimeout(Duration.ofSeconds(1)).withConnectionsPerClient(10);
    try (FolderServer s = serve(limits); ServerAbuse abuse = new ServerAbuse()) {
      abuse.slowHeaders("127.0.0.2", s.port(), 30);
      String over = request("127.0.0.2", s.port(), "GET /data.parquet HTTP/1.1\r\nHost: x\r\n\r\n", 5000);
      assertThat("a socket over the per-client limit is told so", status(over), is(429));
      assertThat(status(get(s.port(), "/data.parquet")), is(200));
      Thread.sleep(2000);
      assertThat("every socket that sent no whole request within the header timeout is closed", abuse.closedByServer(), is(30));
    }
  }

  /** 200 slow-header sockets from 10 clients and 1,000 requests at once: a health request still answers within 1 s. */
  @Test
  void loadOfSlowAndNormalClients() throws Exception {
    try (FolderServer s = serve(Limits.files()); ServerAbuse abuse = new ServerAbuse()) {
      int opened = 0;
      for (int c = 0; c < 10; c++) opened += abuse.slowHeaders("127.0.0." + (10 + c), s.port(), 20);
      assertThat(opened, is(200));
      Future<Map<Integer, Integer>> flood = abuse.flood("127.0.0.3", s.port(), "/data.parquet", 1000);
      Thread.sleep(200);
      long t0 = System.nanoTime();
      String health = get(s.port(), "/data.parquet", "Range: bytes=-1\r\n");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(health, status(health), is(206));
      assertThat("health answered in " + ms + " ms", ms, lessThan(1000L));
      Map<Integer, Integer> counts = flood.get(120, TimeUnit.SECONDS);
      assertThat("every flood request got an answer: " + counts, counts.getOrDefault(-1, 0), is(0));
      assertThat(counts.getOrDefault(200, 0), greaterThan(0));
      assertThat(abuse.closedByServer(), is(0));
    }
  }
}
