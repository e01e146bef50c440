package org.d4c.publisher.torrent;

import java.nio.file.Path;
import java.time.Duration;
import org.d4c.core.progress.Progress;
import org.libtorrent4j.SessionManager;
import org.libtorrent4j.SessionParams;
import org.libtorrent4j.SettingsPack;
import org.libtorrent4j.TorrentHandle;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.TorrentStatus;

/**
 * Downloads a torrent through its web seeds alone: a libtorrent session on loopback with DHT, local peer discovery,
 * UPnP and NAT-PMP off and no trackers, so every byte comes from the HTTP mirrors in its {@code url-list}, each
 * piece checked against the torrent's hashes. The demo uses it to prove a published version can be fetched back.
 */
public final class WebSeedFetch {
  private WebSeedFetch() {}

  /** Downloads {@code torrent} into {@code saveDir}; returns the torrent's root folder there. */
  public static Path download(Path torrent, Path saveDir, Duration timeout, Progress progress) throws InterruptedException {
    TorrentInfo ti = new TorrentInfo(torrent.toFile());
    SettingsPack sp = new SettingsPack();
    sp.listenInterfaces("127.0.0.1:0");
    sp.setEnableDht(false);
    sp.setEnableLsd(false);
    sp.setBoolean(org.libtorrent4j.swig.settings_pack.bool_types.enable_upnp.swigValue(), false);
    sp.setBoolean(org.libtorrent4j.swig.settings_pack.bool_types.enable_natpmp.swigValue(), false);
    SessionManager s = new SessionManager(false);
    SessionParams params = new SessionParams(sp);
    params.setPosixDiskIO(); // see SeedNode.start: the memory-mapped disk I/O takes signals the JVM relies on
    s.start(params);
    try {
      s.download(ti, saveDir.toFile());
      TorrentHandle h = s.find(ti.infoHash());
      long deadline = System.nanoTime() + timeout.toNanos();
      progress.begin("fetching " + ti.name() + " through its web seeds", ti.totalSize());
      while (true) {
        TorrentStatus st = h.status();
        progress.update(st.totalWantedDone());
        if (st.isFinished() || st.isSeeding()) break;
        if (st.errorCode() != null && st.errorCode().isError()) {
          throw new IllegalStateException("the download of " + ti.name() + " failed: " + st.errorCode().getMessage());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the download of " + ti.name() + " did not finish within " + timeout.toSeconds()
              + " s (" + st.totalWantedDone() + " of " + ti.totalSize() + " bytes); is a web seed reachable?");
        }
        Thread.sleep(100);
      }
      progress.end();
      return saveDir.resolve(ti.name());
    } finally {
      s.stop();
    }
  }
}
