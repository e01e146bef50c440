package org.d4c.monitor;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.d4c.catalog.status.StatusDocument;
import org.d4c.core.net.AddressPolicy;
import org.d4c.monitor.publish.StatusMirrors;
import org.d4c.monitor.probe.Prober;

/**
 * Everything a monitor runs with.
 *
 * @param catalog the catalog folder or URL
 * @param site this probe site's id
 * @param quorum sites that must agree before a location is called down or corrupt
 * @param peers other monitors' base URLs whose signed results are counted
 * @param prefixes location id -> URL prefix (names the location of a primary {@code href})
 * @param nodes Smart Node id -> its status URL
 * @param dataDir the history database and the signing key
 * @param outDir where status.json, the report log and the statistics go (the catalog folder when it is local)
 * @param publishDirs further folders (folder mirrors) that get a copy of the published files
 * @param interval time between rounds
 * @param publicUrl the public address of this monitor's API, published as {@code monitor.url} (null: not published)
 * @param mirrors the catalog mirrors of the publisher's mirror file (S3 or folders) that get the published files (null: none)
 * @param statsCatalog a catalog folder that gets each day's statistics as a dataset version (null: none)
 */
public record MonitorConfig(String catalog, String site, int quorum, List<URI> peers, Map<String, String> prefixes,
    Map<String, String> nodes, Path dataDir, Path outDir, List<Path> publishDirs, Duration interval, Prober.Settings probe,
    AddressPolicy policy, Clock clock, Path keyFile, int reportsPerMinutePerClient, String publicUrl, StatusMirrors mirrors,
    Path statsCatalog) {

  public MonitorConfig(String catalog, String site, int quorum, List<URI> peers, Map<String, String> prefixes,
      Map<String, String> nodes, Path dataDir, Path outDir, List<Path> publishDirs, Duration interval, Prober.Settings probe,
      AddressPolicy policy, Clock clock, Path keyFile, int reportsPerMinutePerClient) {
    this(catalog, site, quorum, peers, prefixes, nodes, dataDir, outDir, publishDirs, interval, probe, policy, clock, keyFile,
        reportsPerMinutePerClient, null, null, null);
  }

  public MonitorConfig withPublicUrl(String url) {
    return new MonitorConfig(catalog, site, quorum, peers, prefixes, nodes, dataDir, outDir, publishDirs, interval, probe, policy,
        clock, keyFile, reportsPerMinutePerClient, url == null ? null : StatusDocument.checkMonitorUrl(url), mirrors, statsCatalog);
  }

  public MonitorConfig withMirrors(StatusMirrors m) {
    return new MonitorConfig(catalog, site, quorum, peers, prefixes, nodes, dataDir, outDir, publishDirs, interval, probe, policy,
        clock, keyFile, reportsPerMinutePerClient, publicUrl, m, statsCatalog);
  }

  public MonitorConfig withStatsCatalog(Path dir) {
    return new MonitorConfig(catalog, site, quorum, peers, prefixes, nodes, dataDir, outDir, publishDirs, interval, probe, policy,
        clock, keyFile, reportsPerMinutePerClient, publicUrl, mirrors, dir);
  }

  public MonitorConfig withClock(Clock c) {
    return new MonitorConfig(catalog, site, quorum, peers, prefixes, nodes, dataDir, outDir, publishDirs, interval, probe, policy,
        c, keyFile, reportsPerMinutePerClient, publicUrl, mirrors, statsCatalog);
  }
}
