package org.d4c.publisher.mirror;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.archive.ArchiveConfig;
import org.d4c.publisher.archive.ArchiveContractServer;
import org.d4c.publisher.archive.ArchiveResult;
import org.d4c.publisher.archive.ArchiveUpload;
import org.d4c.publisher.zenodo.ZenodoConfig;
import org.d4c.publisher.zenodo.ZenodoContractServer;
import org.d4c.publisher.zenodo.ZenodoDeposit;
import org.d4c.publisher.zenodo.ZenodoResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A unique secret planted as the Zenodo token and the Internet Archive keys, through success and failure paths of both
 * clients: it must appear in no exception message (causes included), no log line (System.out/err, where slf4j-simple
 * writes), no returned object's or config's toString, and in no request except its Authorization header.
 */
class CredentialCanaryIT {
  private static final String CANARY = "canary" + UUID.randomUUID().toString().replace("-", "");
  private static final String ACCESS = CANARY + "A";
  private static final String SECRET = CANARY + "S";

  @TempDir Path tmp;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream out;
  private PrintStream err;
  private final List<String> seen = new ArrayList<>();

  @BeforeEach void capture() {
    out = System.out;
    err = System.err;
    PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(tee);
    System.setErr(tee);
  }

  @AfterEach void restore() {
    System.setOut(out);
    System.setErr(err);
  }

  private void sawException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      seen.add(String.valueOf(c.getMessage()));
      seen.add(c.toString());
    }
  }

  @Test void theCanaryLeaksNowhere() {
    Release r1 = TestReleases.write(tmp.resolve("a"), "ca-provinces", "1.0.0", Map.of("a.parquet", 500), 1);
    Release r2 = TestReleases.write(tmp.resolve("b"), "ca-provinces", "2.0.0", Map.of("b.parquet", 500), 2);
    Retry retry = new Retry(3, Duration.ZERO, Duration.ZERO, d -> {});

    try (ZenodoContractServer zs = ZenodoContractServer.start().requireToken(CANARY)) {
      ZenodoConfig cfg = new ZenodoConfig(zs.baseUrl(), CANARY, "ZENODO_TOKEN", null, List.of());
      seen.add(cfg.toString());
      ZenodoDeposit z = new ZenodoDeposit(cfg, HttpSend.newClient(), retry);
      ZenodoResult ok = z.publish(r1, null, Progress.NONE);
      seen.add(ok.toString());
      zs.failNext(1, 429, "1");
      ZenodoResult v2 = z.publish(r2, new ZenodoDeposit.Recorded(null, ok.conceptDoi()), Progress.NONE);
      seen.add(v2.toString());
      seen.add(z.verify(r1, ok.versionDoi(), Progress.NONE).toString());
      zs.failNext(5, 503, "1");
      sawException(assertThrows(RuntimeException.class, () -> z.publish(r1, null, Progress.NONE)));
      zs.failPublish(400, "{\"status\":400,\"message\":\"Validation error for token " + CANARY + "\",\"errors\":[{\"field\":\"x\",\"message\":\"" + CANARY + "\"}]}");
      sawException(assertThrows(RuntimeException.class, () -> z.publish(r1, null, Progress.NONE)));
      zs.wrongChecksum("a.parquet");
      sawException(assertThrows(RuntimeException.class, () -> z.publish(r1, null, Progress.NONE)));
      ZenodoDeposit wrong = new ZenodoDeposit(new ZenodoConfig(zs.baseUrl(), CANARY + "x", "ZENODO_TOKEN", null, List.of()), HttpSend.newClient(), retry);
      sawException(assertThrows(RuntimeException.class, () -> wrong.publish(r1, null, Progress.NONE)));
      ZenodoDeposit unreachable = new ZenodoDeposit(new ZenodoConfig(java.net.URI.create("http://127.0.0.1:9"), CANARY, "ZENODO_TOKEN", null, List.of()),
          HttpSend.newClient(), retry);
      sawException(assertThrows(RuntimeException.class, () -> unreachable.publish(r1, null, Progress.NONE)));
      for (ZenodoContractServer.Request q : zs.requests()) {
        assertThat(q.toString(), not(containsString(CANARY)));
      }
    }

    try (ArchiveContractServer as = ArchiveContractServer.start(ACCESS, SECRET)) {
      ArchiveConfig cfg = new ArchiveConfig(as.baseUrl(), as.baseUrl(), ACCESS, SECRET, "IA_ACCESS_KEY", "IA_SECRET_KEY", "", null);
      seen.add(cfg.toString());
      ArchiveUpload a = new ArchiveUpload(cfg, HttpSend.newClient(), retry);
      as.keepPending(true);
      ArchiveResult up = a.publish(r1, Progress.NONE);
      seen.add(up.toString());
      seen.add(a.verify(r1, Progress.NONE).toString());
      as.completePending();
      as.failNext(1, 503, "SlowDown", "1");
      seen.add(a.publish(r2, Progress.NONE).toString());
      as.failNext(5, 503, "SlowDown", null);
      sawException(assertThrows(RuntimeException.class, () -> a.publish(r1, Progress.NONE)));
      ArchiveUpload wrong = new ArchiveUpload(new ArchiveConfig(as.baseUrl(), as.baseUrl(), ACCESS, SECRET + "x", "IA_ACCESS_KEY", "IA_SECRET_KEY", "", null),
          HttpSend.newClient(), retry);
      sawException(assertThrows(RuntimeException.class, () -> wrong.publish(r2, Progress.NONE)));
      sawException(assertThrows(RuntimeException.class, () -> wrong.verify(TestReleases.write(tmp.resolve("c"), "ca-provinces", "3.0.0",
          Map.of("c.parquet", 10), 3), Progress.NONE)));
      for (ArchiveContractServer.Request q : as.requests()) {
        assertThat(q.toString(), not(containsString(CANARY)));
      }
    }

    System.out.flush();
    System.err.flush();
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat("the capture works", logs, allOf(containsString("Zenodo: uploaded"), containsString("Internet Archive: uploaded")));
    assertThat(logs, not(containsString(CANARY)));
    assertThat(seen.size(), greaterThan(15));
    for (String s : seen) assertThat(s, not(containsString(CANARY)));
  }
}
