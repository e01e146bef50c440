package org.d4c.seeder;

import org.d4c.core.io.Natives;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.d4c.core.D4cVersion;
import org.d4c.core.cli.CommandLines;
import org.d4c.core.net.HostPort;
import org.d4c.seeder.plan.Planner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The seeder's command line: {@code seed}. Run as {@code ./d4c seed ...} or {@code java -jar d4c-seeder.jar seed ...}. */
@Command(name = "d4c-seeder", mixinStandardHelpOptions = true, versionProvider = Seeder.Version.class,
    description = "Keeps d4c catalog datasets alive on BitTorrent.", subcommands = {Seeder.Seed.class, CommandLine.HelpCommand.class})
public final class Seeder implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line with d4c's shared behaviour: a bad option or value exits 2 with one line, errors by their code. */
  public static int execute(String... args) {
    return CommandLines.configure(new CommandLine(new Seeder()), "d4c-seeder").execute(args);
  }

  @Command(name = "seed", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Seed the datasets of a d4c catalog: every one that fits the budget (full mode), or the rarest "
          + "pieces of all of them (smart mode). Runs until stopped (SIGTERM/Ctrl-C); state survives restarts."},
      footer = {"", "Examples:",
          "  ./d4c seed --catalog https://data.example.org/catalog/ --data /srv/d4c --budget 500G",
          "  ./d4c seed --catalog /srv/catalog --data /srv/d4c --budget 50G --mode smart --listen 0.0.0.0:6881",
          "  java -jar seeder/target/d4c-seeder.jar seed --catalog s3://bucket/catalog/ --data ./seed --status 127.0.0.1:8089",
          "  ./d4c seed --catalog https://data.example.org/catalog/ --data /srv/d4c --budget 500G --mode smart \\",
          "      --tracker udp://tracker.example.org:6969/announce      # DHT and PEX are on by default",
          "  ./d4c seed --catalog /srv/catalog --data ./seed --no-dht --peer 10.0.0.5:6881   # a closed network",
          "  curl -s http://127.0.0.1:8089/status"})
  static final class Seed implements Callable<Integer> {
    @Option(names = "--catalog", required = true, paramLabel = "URL|PATH",
        description = "The catalog: a folder, its catalog.parquet, or an http(s):// or s3:// URL of the folder.")
    String catalog;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Where pieces and the seeder's state live.")
    Path data;

    @Option(names = "--budget", paramLabel = "SIZE", defaultValue = "10G", converter = CommandLines.Size.class,
        description = "Hard limit on bytes on disk under --data (real allocated blocks), e.g. 500M, 50G, 2T. Default: ${DEFAULT-VALUE}.")
    long budget;

    @Option(names = "--mode", paramLabel = "full|smart", defaultValue = "full",
        description = "full: whole datasets, most at risk first; smart: the rarest pieces of every dataset. Default: ${DEFAULT-VALUE}.")
    Planner.Mode mode;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:6881", converter = HostPortConverter.class,
        description = "BitTorrent listen address (an IPv6 host in brackets: [::]:6881). Default: ${DEFAULT-VALUE}.")
    HostPort listen;

    @Option(names = "--status", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8089",
        description = "Where GET /status answers. Default: ${DEFAULT-VALUE}; 'off' disables it.")
    String status;

    @Option(names = "--status-host", paramLabel = "NAME", description = "Another Host header value the status API accepts (repeatable).")
    List<String> statusHosts = new ArrayList<>();

    @Option(names = "--sync-interval", paramLabel = "DURATION", defaultValue = "15m",
        description = "How often the catalog is read again, e.g. 90s, 15m, 1h. Default: ${DEFAULT-VALUE}.")
    Duration syncInterval;

    @Option(names = "--probe-interval", paramLabel = "DURATION", defaultValue = "10m",
        description = "How often every mirror is probed. Default: ${DEFAULT-VALUE}.")
    Duration probeInterval;

    @Option(names = "--recheck-interval", paramLabel = "DURATION", defaultValue = "7d",
        description = "How often every piece on disk is hashed again. Default: ${DEFAULT-VALUE}.")
    Duration recheckInterval;

    @Option(names = "--reserve", paramLabel = "SIZE", defaultValue = "256M", converter = CommandLines.Size.class,
        description = "Free disk space to keep: below it no new piece is fetched. Default: ${DEFAULT-VALUE}.")
    long reserve;

    @Option(names = "--swarm-memory", paramLabel = "DURATION", defaultValue = "5m",
        description = "How long a peer's pieces still count after it disconnected, so that brief drops do not change the plan. Default: ${DEFAULT-VALUE}.")
    Duration swarmMemory;

    @Option(names = "--peer", paramLabel = "HOST:PORT", converter = HostPortConverter.class, description = "A peer to connect every torrent to, dialled again every 10 s (repeatable).")
    List<HostPort> peers = new ArrayList<>();

    @Option(names = "--no-dht", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Join the mainline DHT (BEP 5), so magnet-link clients find this node without a tracker. On by default; --no-dht turns it off.")
    boolean dht;

    @Option(names = "--dht-bootstrap", paramLabel = "HOST:PORT", split = ",",
        description = "DHT nodes to join through (repeatable or comma-separated; 'none' for no bootstrap). Default: dht.libtorrent.org:25401, router.bittorrent.com:6881, router.utorrent.com:6881, dht.transmissionbt.com:6881.")
    List<String> dhtBootstrap;

    @Option(names = "--dht-announce-interval", paramLabel = "DURATION", defaultValue = "15m",
        description = "How often every dataset is announced to the DHT. Default: ${DEFAULT-VALUE}.")
    Duration dhtAnnounceInterval;

    @Option(names = "--tracker", paramLabel = "URL",
        description = "A tracker every dataset is announced to, besides the trackers in its torrent (repeatable; http, https or udp).")
    List<String> trackers = new ArrayList<>();

    @Option(names = "--no-pex", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Peer exchange (BEP 11). On by default; --no-pex turns it off.")
    boolean pex;

    @Option(names = "--lsd", description = "Local service discovery (BEP 14, multicast on the LAN). Off by default (servers).")
    boolean lsd;

    @Option(names = "--port-mapping", description = "Ask the router to forward the listen port (UPnP, NAT-PMP). Off by default (servers); useful at home.")
    boolean portMapping;

    org.d4c.seeder.node.Discovery discovery() {
      List<String> boot = dhtBootstrap == null ? org.d4c.seeder.node.Discovery.PUBLIC_BOOTSTRAP
          : dhtBootstrap.stream().map(String::strip).filter(b -> !b.isEmpty() && !b.equalsIgnoreCase("none")).toList();
      List<String> nodes = new ArrayList<>();
      for (String b : boot) {
        try {
          nodes.add(HostPort.parse(b).toString());
        } catch (IllegalArgumentException e) {
          throw new org.d4c.core.error.UsageException("--dht-bootstrap: " + e.getMessage());
        }
      }
      for (String t : trackers) {
        if (!t.matches("(https?|udp)://[^\\s/?#]+(/\\S*)?")) {
          throw new org.d4c.core.error.UsageException("--tracker must be an http(s):// or udp:// announce URL, got " + t);
        }
      }
      if (dhtAnnounceInterval.toSeconds() < 1) throw new org.d4c.core.error.UsageException("--dht-announce-interval must be at least 1s");
      return new org.d4c.seeder.node.Discovery(dht, nodes, trackers, pex, lsd, portMapping, dhtAnnounceInterval);
    }

    @Override
    public Integer call() throws Exception {
      long budgetBytes = budget;
      Duration sync = syncInterval;
      Natives.ensureLibtorrent();
      var config = org.d4c.seeder.node.Config.of(catalog, data.toAbsolutePath(), budgetBytes, mode).withListen(listen)
          .withIntervals(sync, probeInterval, recheckInterval).withReserve(reserve)
          .withPeers(peers).withSwarmMemory(swarmMemory).withDiscovery(discovery());
      var node = new org.d4c.seeder.node.SeedNode(config);
      org.d4c.seeder.status.StatusServer server = null;
      if (!status.equalsIgnoreCase("off")) {
        HostPort at;
        try {
          at = HostPort.parse(status);
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(new CommandLine(this), "--status: " + e.getMessage());
        }
        server = new org.d4c.seeder.status.StatusServer(at.host(), at.port(), statusHosts, node::status);
      }
      node.start();
      // Lines the tests and operators read.
      System.out.println("d4c-seeder node " + node.nodeId() + " mode " + mode.name().toLowerCase(Locale.ROOT) + " budget " + budgetBytes);
      System.out.println("listening on port " + node.listenPort());
      if (server != null) System.out.println("status on port " + server.port());
      System.out.flush();
      CountDownLatch done = new CountDownLatch(1);
      var srv = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        if (srv != null) srv.close();
        node.close();
        done.countDown();
      }, "seeder-shutdown"));
      done.await();
      return 0;
    }
  }

  /** {@code HOST:PORT} options, checked by {@link HostPort#parse} (picocli names the option in the message). */
  static final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      try {
        return HostPort.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"d4c-seeder " + D4cVersion.get()};
    }
  }
}
