package org.d4c.seeder;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --listen} and {@code --peer} are checked as HOST:PORT before anything starts. */
class SeederCommandLineTest {
  @TempDir Path tmp;

  private String[] run(String option, String value) {
    PrintStream err = System.err;
    PrintStream out = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code;
    try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      System.setErr(p);
      System.setOut(p);
      code = Seeder.execute("seed", "--catalog", tmp.toString(), "--data", tmp.resolve("data").toString(), option, value);
    } finally {
      System.setErr(err);
      System.setOut(out);
    }
    return new String[] {Integer.toString(code), buf.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void aListenAddressWithoutAPortIsRefusedNamingTheOptionAndTheExpectedForm() {
    String[] r = run("--listen", "6881");
    assertEquals("2", r[0], r[1]);
    assertThat(r[1], containsString("--listen"));
    assertThat(r[1], containsString("expected HOST:PORT"));
  }

  @Test
  void aPeerWithABadPortOrAnUnbracketedIpv6HostIsRefused() {
    String[] r = run("--peer", "10.0.0.5:70000");
    assertEquals("2", r[0], r[1]);
    assertThat(r[1], containsString("--peer"));
    assertThat(r[1], containsString("0 to 65535"));
    r = run("--peer", "::1:6881");
    assertEquals("2", r[0], r[1]);
    assertThat(r[1], containsString("in brackets"));
    r = run("--listen", "0.0.0.0:port");
    assertEquals("2", r[0], r[1]);
    assertThat(r[1], containsString("numeric port"));
  }
}
