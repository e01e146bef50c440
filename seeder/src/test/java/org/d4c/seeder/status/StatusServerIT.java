package org.d4c.seeder.status;

import static org.d4c.testing.ServerAbuse.request;
import static org.d4c.testing.ServerAbuse.status;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.d4c.core.net.HostPort;
import org.d4c.core.web.Limits;
import org.d4c.testing.ServerAbuse;
import org.junit.jupiter.api.Test;

/** The seeder's {@code /status} under hostile load and odd requests (it froze with 2 idle sockets before). */
class StatusServerIT {
  private static StatusServer start() throws Exception {
    return new StatusServer(new HostPort("127.0.0.1", 0), List.of(), () -> JsonNodeFactory.instance.objectNode().put("mode", "full"),
        Limits.api());
  }

  private static String get(int port, String path) {
    return request("127.0.0.1", port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 5000);
  }

  @Test
  void answersWhileSlowSocketsAndAFloodArrive() throws Exception {
    try (StatusServer s = start(); ServerAbuse abuse = new ServerAbuse()) {
      int opened = 0;
      for (int c = 0; c < 20; c++) opened += abuse.slowHeaders("127.0.0." + (10 + c), s.port(), 10);
      assertThat(opened, is(200));
      Future<Map<Integer, Integer>> flood = abuse.flood("127.0.0.3", s.port(), "/status", 1000);
      Thread.sleep(200);
      long t0 = System.nanoTime();
      String health = get(s.port(), "/status");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(health, status(health), is(200));
      assertThat(health, containsString("\"mode\" : \"full\""));
      assertThat("answered in " + ms + " ms", ms, lessThan(1000L));
      Map<Integer, Integer> counts = flood.get(120, TimeUnit.SECONDS);
      assertThat("every request got an answer: " + counts, counts.getOrDefault(-1, 0), is(0));
      assertThat("the flood from one address is rate limited: " + counts, counts.getOrDefault(429, 0), greaterThan(0));
    }
  }

  @Test
  void oddRequestsGetClearStatuses() throws Exception {
    try (StatusServer s = start()) {
      assertThat(status(get(s.port(), "/status%00")), is(400));
      assertThat(status(get(s.port(), "/nope")), is(404));
      assertThat(status(request("127.0.0.1", s.port(), "GET /status HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n", 5000)), is(421));
      assertThat(status(request("127.0.0.1", s.port(), "DELETE /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 5000)), is(405));
    }
  }
}
