package org.d4c.publisher.zenodo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.Mirror;
import org.d4c.publisher.mirror.MirrorException;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.mirror.ReleaseFile;

/**
 * Zenodo as a mirror: {@link ZenodoDeposit} behind the {@link Mirror} interface. The DOIs of earlier runs are given
 * with {@link #recorded}, so publishing again checks the record instead of minting another version. The report's
 * {@code extra} holds {@code doi}, {@code concept_doi} and {@code record}.
 */
public final class ZenodoMirror implements Mirror {
  private final MirrorFile.Zenodo config;
  private final ZenodoDeposit deposit;
  private ZenodoDeposit.Recorded recorded = ZenodoDeposit.Recorded.NONE;

  public ZenodoMirror(MirrorFile.Zenodo config, Credentials credentials) {
    this.config = config;
    String token = credentials.require(config.id(), "token_env", config.tokenEnv());
    List<ZenodoCreator> creators = config.creators().stream().map(ZenodoCreator::named).toList();
    this.deposit = new ZenodoDeposit(new ZenodoConfig(config.url(), token, config.tokenEnv(), config.community(), creators));
  }

  /** The version DOI and concept DOI already recorded for this dataset (either may be null). */
  public void recorded(String versionDoi, String conceptDoi) {
    this.recorded = new ZenodoDeposit.Recorded(versionDoi, conceptDoi);
  }

  @Override
  public MirrorFile.Zenodo config() {
    return config;
  }

  @Override
  public String url(Release release, ReleaseFile file) {
    return null; // known once deposited: see the report
  }

  @Override
  public Report publish(Release release, Progress progress) {
    try {
      return report(deposit.publish(release, recorded, progress), false);
    } catch (ZenodoException e) {
      throw new MirrorException("mirror " + config.id(), e.getMessage());
    }
  }

  @Override
  public Report verify(Release release, Progress progress) {
    if (recorded.versionDoi() == null) {
      throw new MirrorException("mirror " + config.id(), "no DOI recorded for " + release.dataset() + " " + release.version()
          + " (publish it first; the DOI is kept in the build's .d4c-publish/published.json)");
    }
    try {
      return report(deposit.verify(release, recorded.versionDoi(), progress), true);
    } catch (ZenodoException e) {
      throw new MirrorException("mirror " + config.id(), e.getMessage());
    }
  }

  private Report report(ZenodoResult r, boolean verifying) {
    List<FileResult> files = new ArrayList<>();
    for (ZenodoResult.ZenodoFile f : r.files()) {
      Outcome o = switch (f.state()) {
        case UPLOADED -> verifying ? Outcome.VERIFIED : Outcome.UPLOADED;
        case ALREADY_THERE -> verifying ? Outcome.VERIFIED : Outcome.ALREADY_THERE;
        case MISSING -> Outcome.MISSING;
        case MISMATCH -> Outcome.CORRUPT;
        case EXTRA -> Outcome.FAILED;
      };
      String detail = f.detail() != null ? f.detail() : f.md5() == null ? null : "md5 " + f.md5();
      files.add(new FileResult(f.name(), o, f.size(), f.downloadUrl() == null ? null : f.downloadUrl().toString(), detail));
    }
    Map<String, String> extra = new TreeMap<>();
    if (r.versionDoi() != null) extra.put("doi", r.versionDoi());
    if (r.conceptDoi() != null) extra.put("concept_doi", r.conceptDoi());
    extra.put("record", String.valueOf(r.recordUrl()));
    return new Report(config.id(), files, extra);
  }
}
