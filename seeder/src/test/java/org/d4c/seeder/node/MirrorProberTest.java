package org.d4c.seeder.node;

import org.d4c.core.io.Natives;
import org.d4c.testing.FaultServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.d4c.seeder.Fixtures;
import org.d4c.core.net.AddressPolicy;
import org.d4c.core.net.SafeHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libtorrent4j.TorrentInfo;

class MirrorProberTest {
  @TempDir Path tmp;

  /** In these tests the host name "localhost" stands for a public mirror; 127.0.0.1 stays loopback. */
  static final AddressPolicy LOCALHOST_IS_PUBLIC = (host, a) -> host.equals("localhost") || AddressPolicy.DEFAULT.isPublic(host, a);

  @BeforeAll
  static void natives() {
    Natives.ensureLibtorrent();
  }

  @Test
  void okDownCorruptAndRefusedRedirect() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("mirror"));
    try (FaultServer m = new FaultServer(root)) {
      Fixtures.Published p = Fixtures.publish(tmp.resolve("catalog"), root, m.base("localhost"), "lakes", "2.0.0", 200_000, 5);
      TorrentInfo ti = new TorrentInfo(p.torrent().toFile());
      MirrorProber prober = new MirrorProber(LOCALHOST_IS_PUBLIC, Duration.ofSeconds(5), Clock.systemUTC());
      int last = ti.numPieces() - 1; // the last piece spans two files (blob, manifest)
      assertEquals(MirrorProber.Status.OK, prober.probe(m.base("localhost"), ti, last).status());
      assertEquals(MirrorProber.Status.OK, prober.probe(m.base("localhost"), ti, 0).status());
      m.fault(FaultServer.Fault.corrupt());
      MirrorProber.Result bad = prober.probe(m.base("localhost"), ti, 1);
      assertEquals(MirrorProber.Status.CORRUPT, bad.status(), bad.detail());
      m.fault(null);
      m.fault(FaultServer.Fault.status(503));
      assertEquals(MirrorProber.Status.DOWN, prober.probe(m.base("localhost"), ti, 1).status());
      m.fault(null);
      // the "public" mirror redirects to loopback: refused, and nothing is fetched from there
      try (FaultServer inside = new FaultServer(root)) {
        m.fault(FaultServer.Fault.redirect(inside.base("127.0.0.1")));
        MirrorProber.Result r = prober.probe(m.base("localhost"), ti, 1);
        assertEquals(MirrorProber.Status.REFUSED, r.status(), r.detail());
        assertTrue(inside.requests().isEmpty(), "the private address was contacted: " + inside.requestLines());
        SafeHttp http = new SafeHttp(LOCALHOST_IS_PUBLIC, Duration.ofSeconds(5));
        assertThrows(SafeHttp.RedirectRefusedException.class,
            () -> http.get(URI.create(m.base("localhost") + "torrents/lakes-2.0.0.torrent"), null, 1 << 20));
        // a mirror configured on a private address may redirect within private space
        assertEquals(MirrorProber.Status.OK, prober.probe(m.base("127.0.0.1"), ti, 1).status());
      }
    }
  }
}
