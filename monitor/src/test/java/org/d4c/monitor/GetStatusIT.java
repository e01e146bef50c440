package org.d4c.monitor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.d4c.catalog.status.State;
import org.d4c.catalog.status.StatusDocument;
import org.d4c.catalog.status.StatusKeys;
import org.d4c.core.json.CanonicalJson;
import org.d4c.fetch.Fetch;
import org.d4c.monitor.probe.Prober;
import org.d4c.testing.FaultServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code d4c get} with the status.json a real monitor round published into the catalog (signed, its key in
 * status-keys.json): the locations it found corrupt or down are left out even once they serve again; a status.json
 * altered after signing is ignored, with the reason in the summary.
 */
class GetStatusIT {
  @TempDir Path tmp;

  @Test
  void locationsTheSignedStatusHoldsOutAreSkippedAndAnAlteredOneIsIgnored() throws Exception {
    Path ma = Files.createDirectories(tmp.resolve("mirror-a"));
    Path mb = Files.createDirectories(tmp.resolve("mirror-b"));
    Path mc = Files.createDirectories(tmp.resolve("mirror-c"));
    try (FaultServer a = new FaultServer(ma); FaultServer b = new FaultServer(mb); FaultServer c = new FaultServer(mc)) {
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("a", new AbstractMap.SimpleEntry<>(ma, a.base()));
      mirrors.put("b", new AbstractMap.SimpleEntry<>(mb, b.base()));
      mirrors.put("c", new AbstractMap.SimpleEntry<>(mc, c.base()));
      Published.Item item = Published.publish(catalog, mirrors, "roads", "1.0.0", 1_000_000, 13);
      b.fault(FaultServer.Fault.corrupt());
      c.fault(FaultServer.Fault.status(500));
      // one monitor round, status.json and status-keys.json written into the catalog folder, as a local monitor does
      MonitorConfig config = new MonitorConfig(catalog.toString(), "local", 1, List.of(), Map.of(), Map.of(), tmp.resolve("data"), catalog,
          List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), MonitorIT.TEST_POLICY, Clock.systemUTC(), null, 10_000);
      try (Monitor m = new Monitor(config)) {
        m.loadCatalog();
        m.runRound();
      }
      Path statusFile = catalog.resolve(StatusDocument.FILE);
      StatusDocument doc = StatusDocument.parse(Files.readAllBytes(statusFile));
      assertThat(doc.verify(StatusKeys.read(catalog.resolve(StatusKeys.FILE))), is(true));
      assertThat(MonitorIT.state(CanonicalJson.mapper().readTree(Files.readAllBytes(statusFile)), item.id(), "b"), is(State.CORRUPT));
      assertThat(MonitorIT.state(CanonicalJson.mapper().readTree(Files.readAllBytes(statusFile)), item.id(), "c"), is(State.DOWN));

      // b and c serve good bytes again, but the published status still holds them out: get does not ask them
      b.clear();
      c.clear();
      int bSeen = b.requests().size();
      int cSeen = c.requests().size();
      Fetch.Summary s = Fetch.of(catalog.toString()).item("roads").to(tmp.resolve("out1")).via(Fetch.Via.HTTP).call();
      assertThat(s.toJson().toString(), s.status(), startsWith(StatusDocument.FILE + " round"));
      assertThat(s.toJson().toString(), excluded(s, "b"), containsString("corrupt"));
      assertThat(s.toJson().toString(), excluded(s, "c"), containsString("down"));
      assertThat(b.requests().subList(bSeen, b.requests().size()).toString(), b.requests().size(), is(bSeen));
      assertThat(c.requests().subList(cSeen, c.requests().size()).toString(), c.requests().size(), is(cSeen));

      // the same document with b's state changed after signing: the signature fails, the document is ignored
      ObjectNode altered = (ObjectNode) CanonicalJson.mapper().readTree(Files.readAllBytes(statusFile));
      for (var i : altered.path("items")) {
        for (var l : i.path("locations")) {
          ((ObjectNode) l).put("state", "verified").put("routable", true);
        }
      }
      Files.write(statusFile, CanonicalJson.toBytes(altered));
      Fetch.Summary t = Fetch.of(catalog.toString()).item("roads").to(tmp.resolve("out2")).via(Fetch.Via.HTTP).call();
      assertThat(t.toJson().toString(), t.status(), startsWith(StatusDocument.FILE + " ignored"));
      assertThat(t.toJson().toString(), t.status(), containsString("signature"));
      assertThat(t.toJson().toString(), t.excluded().size(), is(0));
      assertThat(t.toJson().toString(), b.requests().size() + c.requests().size(), greaterThan(bSeen + cSeen));
    }
  }

  @Test
  void reportWithoutAUrlGoesToTheMonitorTheSignedStatusNames() throws Exception {
    Path ma = Files.createDirectories(tmp.resolve("mirror-a"));
    Path mb = Files.createDirectories(tmp.resolve("mirror-b"));
    try (FaultServer a = new FaultServer(ma); FaultServer b = new FaultServer(mb)) {
      Path catalog = Files.createDirectories(tmp.resolve("catalog"));
      Map<String, Map.Entry<Path, String>> mirrors = new LinkedHashMap<>();
      mirrors.put("a", new AbstractMap.SimpleEntry<>(ma, a.base()));
      mirrors.put("b", new AbstractMap.SimpleEntry<>(mb, b.base()));
      Published.publish(catalog, mirrors, "roads", "1.0.0", 1_000_000, 17);
      MonitorConfig config = new MonitorConfig(catalog.toString(), "local", 1, List.of(), Map.of(), Map.of(), tmp.resolve("data"), catalog,
          List.of(), Duration.ofMinutes(5), Prober.Settings.defaults(), MonitorIT.TEST_POLICY, Clock.systemUTC(), null, 10_000);
      try (Monitor m = new Monitor(config);
          org.d4c.monitor.web.MonitorServer server = org.d4c.monitor.web.MonitorServer.start(new org.d4c.core.net.HostPort("127.0.0.1", 0),
              new org.d4c.monitor.web.MonitorApi(m))) {
        m.loadCatalog();
        m.runRound();
        // the document names its monitor (monitor.url), signed again with the monitor's key as the monitor would
        Path statusFile = catalog.resolve(StatusDocument.FILE);
        ObjectNode doc = (ObjectNode) CanonicalJson.mapper().readTree(Files.readAllBytes(statusFile));
        ((ObjectNode) doc.get("monitor")).put("url", server.origin() + "/");
        org.d4c.catalog.status.StatusSignature.sign(doc, Keys.load(tmp.resolve("data").resolve("monitor.key")));
        Files.write(statusFile, CanonicalJson.toBytes(doc));

        a.fault("roads-1.0.0/extra/blob.bin", FaultServer.Fault.corrupt()); // after the round: the status still says verified
        // 127.0.0.1 counts as public here: a monitor URL from a remote document must be a public address
        Fetch.Summary s = Fetch.of(catalog.toString()).item("roads").to(tmp.resolve("out")).via(Fetch.Via.HTTP)
            .addressPolicy(MonitorIT.TEST_POLICY).report("").call();
        assertThat(s.toJson().toString(), s.status(), startsWith(StatusDocument.FILE + " round"));
        assertThat(s.toJson().toString(), s.reports().size(), is(1));
        assertThat(s.toJson().toString(), s.reports().get(0).location(), is("primary"));
        assertThat(s.toJson().toString(), s.reports().get(0).status(), is(202));
        assertThat(m.reportLog().entries(), greaterThan(0L));

        // without that policy the same URL (loopback, named by a remote document) is refused, and the get still succeeds
        Fetch.Summary t = Fetch.of(catalog.toString()).item("roads").to(tmp.resolve("out2")).via(Fetch.Via.HTTP).report("").call();
        assertThat(t.toJson().toString(), t.reports().get(0).status(), is(0));
        assertThat(t.toJson().toString(), t.reports().get(0).error(), containsString("non-public address"));
      }
    }
  }

  static String excluded(Fetch.Summary s, String id) {
    return s.excluded().stream().filter(r -> r.id().equals(id)).map(Fetch.SourceReport::verdict).findFirst().orElse("(not excluded)");
  }
}
