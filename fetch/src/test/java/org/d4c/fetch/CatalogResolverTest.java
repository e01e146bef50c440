package org.d4c.fetch;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CatalogResolverTest {
  static String url(String json) {
    return CatalogResolver.monitorUrl(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theMonitorUrlIsReadLenientlyFromStatusJson() {
    assertThat(url("{\"monitor\": {\"site\": \"ottawa\", \"url\": \"https://status.example.org/\"}}"), is("https://status.example.org/"));
    assertThat(url("{\"monitor\": {\"site\": \"ottawa\"}}"), nullValue());
    assertThat(url("{\"monitor\": {\"url\": 42}}"), nullValue());
    assertThat(url("{\"monitor\": {\"url\": \"file:///etc/passwd\"}}"), nullValue());
    assertThat(url("{\"monitor\": \"x\"}"), nullValue());
    assertThat(url("not json"), nullValue());
  }
}
