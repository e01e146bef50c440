package org.d4c.seeder.node;

import java.util.List;

/**
 * How a node finds peers and is found, beyond {@code --peer}.
 *
 * @param dht the mainline DHT (BEP 5): the node is found by magnet-link clients without any tracker
 * @param dhtBootstrap {@code HOST:PORT} nodes the DHT joins through (none: it waits for other nodes to contact it)
 * @param trackers announce URLs added to every dataset, besides the trackers written in its torrent
 * @param pex peer exchange (BEP 11): peers tell each other about more peers
 * @param lsd local service discovery (BEP 14, multicast on the LAN)
 * @param portMapping UPnP and NAT-PMP: ask the home router to forward the listen port
 * @param dhtAnnounceInterval how often every dataset is announced to the DHT (libtorrent's default is 15 minutes)
 */
public record Discovery(boolean dht, List<String> dhtBootstrap, List<String> trackers, boolean pex, boolean lsd,
    boolean portMapping, java.time.Duration dhtAnnounceInterval) {
  public static final java.time.Duration DHT_ANNOUNCE = java.time.Duration.ofMinutes(15);

  /** The public bootstrap nodes libtorrent and most clients use. */
  public static final List<String> PUBLIC_BOOTSTRAP = List.of("dht.libtorrent.org:25401", "router.bittorrent.com:6881",
      "router.utorrent.com:6881", "dht.transmissionbt.com:6881");

  /** A server on the open internet: DHT through the public bootstrap nodes, trackers of the torrents, PEX. */
  public static final Discovery DEFAULT = new Discovery(true, PUBLIC_BOOTSTRAP, List.of(), true, false, false, DHT_ANNOUNCE);

  /** Nothing but {@code --peer} and incoming connections (closed networks, tests). */
  public static final Discovery OFF = new Discovery(false, List.of(), List.of(), false, false, false, DHT_ANNOUNCE);

  public Discovery {
    dhtBootstrap = List.copyOf(dhtBootstrap);
    trackers = List.copyOf(trackers);
    if (dhtAnnounceInterval.isNegative() || dhtAnnounceInterval.toSeconds() < 1) {
      throw new IllegalArgumentException("the DHT announce interval must be at least 1s");
    }
  }

  /** A copy with another DHT announce interval. */
  public Discovery withDhtAnnounceInterval(java.time.Duration d) {
    return new Discovery(dht, dhtBootstrap, trackers, pex, lsd, portMapping, d);
  }
}
