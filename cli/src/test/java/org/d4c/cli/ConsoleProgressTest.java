package org.d4c.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  @Test
  void aDetailIsShownBesideTheBarWhileTheTaskRunsNotInItsLastLine() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
    p.begin("features", 100);
    p.detail("out step 1 (pivot) 40→0");
    Thread.sleep(150);
    p.update(40);
    p.end();
    String s = bytes.toString(StandardCharsets.UTF_8);
    assertThat(s, containsString("40/100  out step 1 (pivot) 40→0"));
    String last = s.substring(s.lastIndexOf('\r') + 1);
    assertThat(last, containsString("features: 40 done in"));
    assertThat(last, not(containsString("pivot")));
  }
}
