package org.d4c.seeder.node;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.d4c.seeder.disk.DiskProbe;
import org.d4c.core.net.AddressPolicy;
import org.d4c.core.net.HostPort;
import org.d4c.seeder.plan.Planner;

/**
 * Everything a {@link SeedNode} runs with.
 *
 * @param listen libtorrent listen interface, {@code HOST:PORT} (port 0 = any free port)
 * @param reserveBytes free space the disk must keep: below it, no new piece is downloaded
 * @param extraPeers peers to connect every torrent to ({@code HOST:PORT}; tests and private swarms)
 * @param swarmMemory how long a piece's peer count is remembered after it fell: peers drop and come back (each time
 *     the node frees pieces, every connection of that torrent is closed), and the plan must not follow every blip
 * @param discovery DHT, trackers, PEX, LSD, port mapping
 */
public record Config(String catalog, Path data, long budget, Planner.Mode mode, HostPort listen, Duration syncInterval,
    Duration probeInterval, Duration recheckInterval, long reserveBytes, AddressPolicy policy, DiskProbe disk, Clock clock,
    List<HostPort> extraPeers, Duration swarmMemory, Discovery discovery) {

  public static Config of(String catalog, Path data, long budget, Planner.Mode mode) {
    return new Config(catalog, data, budget, mode, new HostPort("0.0.0.0", 6881), Duration.ofMinutes(15), Duration.ofMinutes(10),
        Duration.ofDays(7), 256L << 20, AddressPolicy.DEFAULT, DiskProbe.SYSTEM, Clock.systemUTC(), List.of(), Duration.ofMinutes(5), Discovery.DEFAULT);
  }

  /** {@code HOST:PORT}; a bad address is an {@link IllegalArgumentException} naming what was expected. */
  public Config withListen(String l) {
    return withListen(HostPort.parse(l));
  }

  public Config withListen(HostPort l) {
    return new Config(catalog, data, budget, mode, l, syncInterval, probeInterval, recheckInterval, reserveBytes, policy, disk, clock, extraPeers, swarmMemory, discovery);
  }

  public Config withIntervals(Duration sync, Duration probe, Duration recheck) {
    return new Config(catalog, data, budget, mode, listen, sync, probe, recheck, reserveBytes, policy, disk, clock, extraPeers, swarmMemory, discovery);
  }

  public Config withReserve(long r) {
    return new Config(catalog, data, budget, mode, listen, syncInterval, probeInterval, recheckInterval, r, policy, disk, clock, extraPeers, swarmMemory, discovery);
  }

  public Config withPolicy(AddressPolicy p) {
    return new Config(catalog, data, budget, mode, listen, syncInterval, probeInterval, recheckInterval, reserveBytes, p, disk, clock, extraPeers, swarmMemory, discovery);
  }

  public Config withDisk(DiskProbe d) {
    return new Config(catalog, data, budget, mode, listen, syncInterval, probeInterval, recheckInterval, reserveBytes, policy, d, clock, extraPeers, swarmMemory, discovery);
  }

  public Config withPeers(List<HostPort> peers) {
    return new Config(catalog, data, budget, mode, listen, syncInterval, probeInterval, recheckInterval, reserveBytes, policy, disk, clock, List.copyOf(peers), swarmMemory, discovery);
  }

  public Config withSwarmMemory(Duration m) {
    return new Config(catalog, data, budget, mode, listen, syncInterval, probeInterval, recheckInterval, reserveBytes, policy, disk, clock, extraPeers, m, discovery);
  }

  public Config withDiscovery(Discovery d) {
    return new Config(catalog, data, budget, mode, listen, syncInterval, probeInterval, recheckInterval, reserveBytes, policy, disk, clock, extraPeers, swarmMemory, d);
  }
}
