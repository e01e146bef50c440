package org.d4c.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultServerTest {
  @TempDir Path tmp;
  byte[] data;
  final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeEach
  void folder() throws IOException {
    data = new byte[100_000];
    for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + 7);
    Files.createDirectories(tmp.resolve("a"));
    Files.write(tmp.resolve("a/f.bin"), data);
    Files.writeString(tmp.resolve("other.txt"), "other");
  }

  HttpResponse<byte[]> get(FaultServer s, String path, String range) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base() + path));
    if (range != null) b.header("Range", range);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void rangesAsRfc9110() throws Exception {
    try (FaultServer s = new FaultServer(tmp)) {
      HttpResponse<byte[]> whole = get(s, "a/f.bin", null);
      assertEquals(200, whole.statusCode());
      assertArrayEquals(data, whole.body());
      HttpResponse<byte[]> mid = get(s, "a/f.bin", "bytes=10-19");
      assertEquals(206, mid.statusCode());
      assertEquals("bytes 10-19/100000", mid.headers().firstValue("Content-Range").orElseThrow());
      assertArrayEquals(Arrays.copyOfRange(data, 10, 20), mid.body());
      assertArrayEquals(Arrays.copyOfRange(data, 99_990, 100_000), get(s, "a/f.bin", "bytes=-10").body());
      assertArrayEquals(Arrays.copyOfRange(data, 99_000, 100_000), get(s, "a/f.bin", "bytes=99000-").body());
      assertArrayEquals(Arrays.copyOfRange(data, 99_000, 100_000), get(s, "a/f.bin", "bytes=99000-200000").body());
      assertArrayEquals(data, get(s, "a/f.bin", "bytes=-200000").body(), "a suffix longer than the file is the file");
      HttpResponse<byte[]> beyond = get(s, "a/f.bin", "bytes=100000-");
      assertEquals(416, beyond.statusCode());
      assertEquals("bytes */100000", beyond.headers().firstValue("Content-Range").orElseThrow());
      assertEquals(200, get(s, "a/f.bin", "bytes=0-1,5-6").statusCode(), "several ranges: the whole file");
      assertEquals(404, get(s, "a/missing", null).statusCode());
      assertEquals(404, get(s, "../a/f.bin", null).statusCode());
      assertThat(s.requestLines().subList(0, 2), contains("GET /mirror/a/f.bin null", "GET /mirror/a/f.bin bytes=10-19"));
      assertEquals(10, s.requests().get(1).bytes());
    }
  }

  @Test
  void faultsPerPathAndGlobal() throws Exception {
    try (FaultServer s = new FaultServer(tmp); FaultServer other = new FaultServer(tmp)) {
      s.fault("a/f.bin", FaultServer.Fault.status(503));
      assertEquals(503, get(s, "a/f.bin", null).statusCode());
      assertEquals(200, get(s, "other.txt", null).statusCode(), "a path fault touches that path only");
      s.fault("a/f.bin", FaultServer.Fault.tooMany(7));
      HttpResponse<byte[]> busy = get(s, "a/f.bin", null);
      assertEquals(429, busy.statusCode());
      assertEquals("7", busy.headers().firstValue("Retry-After").orElseThrow());
      s.fault("a/f.bin", FaultServer.Fault.wrongByte(15));
      byte[] expected = Arrays.copyOfRange(data, 10, 20);
      expected[5] ^= (byte) 0xff;
      assertArrayEquals(expected, get(s, "a/f.bin", "bytes=10-19").body());
      assertArrayEquals(Arrays.copyOfRange(data, 20, 30), get(s, "a/f.bin", "bytes=20-29").body());
      s.fault("a/f.bin", FaultServer.Fault.redirect(other.base()));
      HttpResponse<byte[]> moved = get(s, "a/f.bin", null);
      assertEquals(302, moved.statusCode());
      assertEquals(other.base() + "a/f.bin", moved.headers().firstValue("Location").orElseThrow());
      s.fault("a/f.bin", FaultServer.Fault.shortRead(1000));
      assertThrows(IOException.class, () -> get(s, "a/f.bin", null), "a body shorter than its Content-Length");
      s.fault("a/f.bin", FaultServer.Fault.slow(200_000));
      long t0 = System.nanoTime();
      assertArrayEquals(Arrays.copyOfRange(data, 0, 50_000), get(s, "a/f.bin", "bytes=0-49999").body());
      assertThat((System.nanoTime() - t0) / 1_000_000L, greaterThanOrEqualTo(200L));
      s.fault("a/f.bin", null);
      s.fault(FaultServer.Fault.down());
      assertThrows(IOException.class, () -> get(s, "other.txt", null));
      s.fault(FaultServer.Fault.corrupt());
      byte[] flipped = get(s, "other.txt", null).body();
      assertEquals((byte) ('o' ^ 0xff), flipped[0]);
      s.refuse(true);
      HttpClient fresh = HttpClient.newHttpClient();
      assertThrows(ConnectException.class,
          () -> fresh.send(HttpRequest.newBuilder(URI.create(s.base() + "other.txt")).build(), HttpResponse.BodyHandlers.ofByteArray()),
          () -> s.requestLines().toString());
      s.clear();
      assertEquals("other", new String(get(s, "other.txt", null).body()));
      assertThat(other.requests().size(), lessThan(1));
    }
  }
}
