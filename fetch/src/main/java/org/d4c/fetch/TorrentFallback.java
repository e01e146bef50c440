package org.d4c.fetch;

import org.d4c.core.io.Natives;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.d4c.core.net.HostPort;
import org.d4c.core.progress.Progress;
import org.libtorrent4j.SessionManager;
import org.libtorrent4j.SessionParams;
import org.libtorrent4j.SettingsPack;
import org.libtorrent4j.TorrentHandle;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.TorrentStatus;
import org.libtorrent4j.WebSeedEntry;

/**
 * The BitTorrent fallback: a libtorrent session over the partial download (libtorrent checks the files and keeps the
 * pieces already verified), with the still-healthy HTTP locations as web seeds and the given peers (plus DHT and the
 * torrent's trackers when no peer is given). Every piece libtorrent accepts is checked against the same hashes.
 */
public final class TorrentFallback {
  private TorrentFallback() {}

  private static void connect(TorrentHandle h, HostPort p) {
    h.swig().connect_peer(new org.libtorrent4j.swig.tcp_endpoint(
        org.libtorrent4j.swig.address.from_string(p.host(), new org.libtorrent4j.swig.error_code()), p.port()));
  }

  /** The session settings of both uses: explicit peers on loopback/LAN, else DHT; no LSD, UPnP or NAT-PMP. */
  private static SessionManager session(boolean explicitPeers) {
    SettingsPack sp = new SettingsPack();
    sp.listenInterfaces(explicitPeers ? "127.0.0.1:0" : "0.0.0.0:0");
    sp.setEnableDht(!explicitPeers);
    sp.setEnableLsd(false);
    sp.setBoolean(org.libtorrent4j.swig.settings_pack.bool_types.enable_upnp.swigValue(), false);
    sp.setBoolean(org.libtorrent4j.swig.settings_pack.bool_types.enable_natpmp.swigValue(), false);
    // Loopback and LAN peers are what a test or a campus seeder is; allow several connections from one IP.
    sp.setBoolean(org.libtorrent4j.swig.settings_pack.bool_types.allow_multiple_connections_per_ip.swigValue(), true);
    SessionManager s = new SessionManager(false);
    SessionParams params = new SessionParams(sp);
    params.setPosixDiskIO(); // the memory-mapped disk I/O takes signals the JVM relies on
    s.start(params);
    return s;
  }

  /**
   * The torrent's metadata from peers (BEP 9), for when no location serves the .torrent: a magnet link of the info-hash
   * with the given peers ({@code x.pe}), else the DHT and the trackers ({@code tr}) of the catalog's magnet link. libtorrent
   * checks the info dictionary against the info-hash. Null when no peer gave it within {@code timeout}.
   */
  public static byte[] metadata(String infoHashHex, String name, String catalogMagnet, List<HostPort> peers, Duration timeout, Path tmp) {
    Natives.ensureLibtorrent();
    StringBuilder uri = new StringBuilder("magnet:?xt=urn:btih:").append(infoHashHex)
        .append("&dn=").append(java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8));
    for (HostPort p : peers) uri.append("&x.pe=").append(p.host().contains(":") ? "[" + p.host() + "]" : p.host()).append(':').append(p.port());
    if (peers.isEmpty() && catalogMagnet != null) {
      for (String kv : catalogMagnet.replaceFirst("^magnet:\\?", "").split("&")) if (kv.startsWith("tr=")) uri.append('&').append(kv);
    }
    SessionManager s = session(!peers.isEmpty());
    try {
      java.nio.file.Files.createDirectories(tmp);
      byte[] b = s.fetchMagnet(uri.toString(), (int) Math.max(1, timeout.toSeconds()), tmp.toFile());
      return b == null || b.length == 0 ? null : b;
    } catch (java.io.IOException e) {
      return null;
    } finally {
      s.stop();
    }
  }

  /** What the swarm gave: payload bytes downloaded, and whether the download completed. */
  public record Result(long bytes, boolean complete, String detail) {}

  public static Result run(byte[] torrent, Path partDir, List<String> webSeeds, List<HostPort> peers, Duration timeout,
      Progress progress, long alreadyDone) throws InterruptedException {
    Natives.ensureLibtorrent();
    TorrentInfo ti = TorrentInfo.bdecode(torrent);
    List<WebSeedEntry> seeds = new ArrayList<>();
    for (WebSeedEntry w : ti.webSeeds()) if (webSeeds.contains(w.url())) seeds.add(w);
    ti.setWebSeeds(seeds);
    SessionManager s = session(!peers.isEmpty());
    try {
      s.download(ti, partDir.toFile());
      TorrentHandle h = s.find(ti.infoHash());
      for (HostPort p : peers) connect(h, p);
      long deadline = System.nanoTime() + timeout.toNanos();
      long lastPeerDial = System.nanoTime();
      while (true) {
        TorrentStatus st = h.status();
        progress.update(alreadyDone + st.totalPayloadDownload());
        if (st.isFinished() || st.isSeeding()) {
          h.flushCache();
          Thread.sleep(200);
          return new Result(h.status().totalPayloadDownload(), true, st.numPeers() + " peers");
        }
        if (st.errorCode() != null && st.errorCode().isError()) {
          return new Result(st.totalPayloadDownload(), false, "libtorrent: " + st.errorCode().getMessage());
        }
        if (System.nanoTime() > deadline) {
          return new Result(st.totalPayloadDownload(), false, "the swarm gave " + st.totalWantedDone() + " of " + ti.totalSize()
              + " bytes within " + timeout.toSeconds() + " s (" + st.numPeers() + " peers)");
        }
        if (System.nanoTime() - lastPeerDial > 5_000_000_000L) {
          for (HostPort p : peers) connect(h, p);
          lastPeerDial = System.nanoTime();
        }
        Thread.sleep(100);
      }
    } finally {
      s.stop();
    }
  }
}
