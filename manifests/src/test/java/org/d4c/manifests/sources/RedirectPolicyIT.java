package org.d4c.manifests.sources;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A source on a public address that redirects to 169.254.169.254 is refused, in a network namespace of its own
 * (unshare -rn) where both addresses live on the namespace's loopback: no real metadata service is ever asked.
 */
class RedirectPolicyIT {
  @Test
  void publicSourceCannotRedirectToTheMetadataAddress() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String script = "ip link set lo up && ip addr add 169.254.169.254/32 dev lo && ip addr add 203.0.113.5/32 dev lo && exec "
        + java + " -cp '" + System.getProperty("java.class.path") + "' " + RedirectProbe.class.getName();
    Process p;
    try {
      p = new ProcessBuilder("unshare", "-rn", "sh", "-c", script).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      p = null;
    }
    String out = p == null ? "" : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean done = p != null && p.waitFor(120, TimeUnit.SECONDS);
    boolean namespaces = done && !out.contains("unshare:") && !out.contains("Operation not permitted");
    if (!namespaces && "true".equals(System.getenv("CI"))) throw new AssertionError("network namespaces are needed in CI: " + out);
    assumeTrue(namespaces, "the kernel refuses network namespaces here (unshare -rn): " + out);
    List<String> lines = out.lines().toList();
    assertThat(out, lines, hasItem(startsWith("redirect: refused: ")));
    assertThat(out, containsString("refused redirect from the public host 203.0.113.5 to the non-public address 169.254.169.254"));
    assertThat(out, lines, hasItem("direct: fetched 18 bytes"));
    assertThat("only the direct request reached the metadata server", lines, hasItem("metadata-hits: 1"));
  }
}
