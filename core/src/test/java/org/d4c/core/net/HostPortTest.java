package org.d4c.core.net;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void parsesHostsPortsAndBracketedIpv6() {
    assertThat(HostPort.parse("127.0.0.1:8090"), equalTo(new HostPort("127.0.0.1", 8090)));
    assertThat(HostPort.parse(" Example.org:80 "), equalTo(new HostPort("example.org", 80)));
    assertThat(HostPort.parse("[::1]:6881"), equalTo(new HostPort("::1", 6881)));
    assertThat(HostPort.parse("[::1]:6881").toString(), equalTo("[::1]:6881"));
  }

  @Test
  void refusesWhatIsNotHostColonPort() {
    for (String bad : new String[] {"8090", ":8090", "host:", "host:http", "::1:80", "host:70000"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(bad), bad);
      assertThat(e.getMessage(), containsString("HOST:PORT"));
    }
  }
}
