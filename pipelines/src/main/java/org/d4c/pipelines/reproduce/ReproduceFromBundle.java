package org.d4c.pipelines.reproduce;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.d4c.manifests.bundle.BundleException;
import org.d4c.manifests.bundle.BundleInfo;
import org.d4c.manifests.bundle.BundleReader;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.sources.SourceCache;

/**
 * {@code d4c reproduce BUNDLE} and {@code d4c reproduce MANIFEST --bundle BUNDLE}: checks that the bundle belongs to
 * the manifest (same commit, dataset and version), puts the bundle's local sources into the source cache, and says
 * which code must rebuild: this checkout when it is the manifest's commit and clean, else the bundle's own code,
 * unpacked (safely, once per commit) into {@code ~/.cache/d4c/bundles/<commit>/} and run through its own launcher
 * ({@code ./d4c reproduce MANIFEST}), which builds its jars with Maven and compares the bytes as usual.
 */
public final class ReproduceFromBundle {
  /** Extra Maven arguments for the bundle's own launcher (e.g. {@code -o -Dmaven.test.skip=true}). */
  public static final String MAVEN_ARGS_ENV = "D4C_MAVEN_ARGS";

  /** Which manifest to reproduce and with which code. {@code temporary} is a manifest file written for this run. */
  public record Plan(Path manifest, BundleInfo info, Path bundle, boolean here, Path temporary) {}

  private ReproduceFromBundle() {}

  /**
   * Reads the bundle, checks it against {@code manifest} (or takes the manifest out of the bundle when null), and
   * seeds {@code cache} with the bundle's local sources.
   */
  public static Plan plan(Path manifest, Path bundle, Path home, SourceCache cache, PrintStream err) {
    BundleReader.Contents contents = BundleReader.withDefaultLimits().read(bundle);
    BundleInfo info = contents.info();
    Path temporary = null;
    Path manifestFile = manifest;
    if (manifestFile == null) {
      try {
        temporary = Files.createTempDirectory("d4c-bundle-manifest-");
        manifestFile = Files.write(temporary.resolve(Manifests.FILE_NAME), contents.manifest());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Manifest m = Manifests.read(manifestFile);
    String commit = m.resolvedDependencies().code().commit();
    if (!commit.equals(info.commit())) {
      throw new BundleException("the bundle " + bundle + " holds the code of commit " + info.commit() + ", but "
          + manifestFile + " was built by commit " + commit + ": the bundle does not belong to the manifest (use"
          + " the bundle published with this version)");
    }
    if (!Objects.equals(m.dataset(), info.dataset()) || !Objects.equals(m.version(), info.version())) {
      throw new BundleException("the bundle " + bundle + " is for " + info.dataset() + " " + info.version() + ", but "
          + manifestFile + " is " + m.dataset() + " " + m.version() + ": the bundle does not belong to the manifest");
    }
    CodeVersion now = CodeVersion.detect(home);
    boolean here = now.commit().equals(commit) && !now.dirty();
    if (!info.sources().isEmpty()) seedSources(bundle, info, cache, err);
    return new Plan(manifestFile, info, bundle, here, temporary);
  }

  /**
   * Unpacks the bundle's code (or reuses an earlier unpack) and runs its launcher: {@code ./d4c reproduce
   * MANIFEST ARGS} in the current folder, its output passed through. Returns the launcher's exit code.
   */
  public static int runBundledCode(Plan plan, Path bundlesRoot, List<String> args, String mavenArgs,
      PrintStream out, PrintStream err) throws IOException, InterruptedException {
    String commit = plan.info().commit();
    err.println("Unpacking the code of commit " + commit + " from " + plan.bundle() + " (checked against the commit's"
        + " tree) into " + bundlesRoot.resolve(commit));
    BundleReader.Unpacked u = BundleReader.withDefaultLimits().unpack(plan.bundle(), bundlesRoot);
    if (u.reused()) err.println("  already unpacked there: reusing it");
    Path launcher = u.dir().resolve("d4c");
    if (!Files.isExecutable(launcher)) {
      throw new BundleException(plan.bundle() + ": the code of commit " + commit + " has no executable ./d4c launcher");
    }
    err.println("Building the code of commit " + commit + " from the bundle (Maven" + (mavenArgs == null
        || mavenArgs.isBlank() ? "" : " " + mavenArgs) + "; a first build takes a few minutes)…");
    List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "reproduce",
        plan.manifest().toAbsolutePath().toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("D4C_HOME"); // the launcher sets its own
    if (mavenArgs != null && !mavenArgs.isBlank()) pb.environment().put(MAVEN_ARGS_ENV, mavenArgs);
    Process p = pb.start();
    p.getOutputStream().close();
    Thread o = pump(p.getInputStream(), out);
    Thread e = pump(p.getErrorStream(), err);
    int code = p.waitFor();
    o.join();
    e.join();
    err.println("Code used: commit " + commit + " from the bundle " + plan.bundle().getFileName() + " (unpacked at "
        + u.dir() + "), not this checkout");
    return code;
  }

  /** The bundle's local sources go into the cache under their sha256, after checking it. */
  private static void seedSources(Path bundle, BundleInfo info, SourceCache cache, PrintStream err) {
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("d4c-bundle-sources-");
      List<BundleInfo.BundledSource> missing = info.sources().stream()
          .filter(s -> cache.find(s.sha256(), s.size()).isEmpty()).toList();
      if (missing.isEmpty()) return;
      BundleReader.withDefaultLimits().extractFiles(bundle, missing.stream().map(BundleInfo.BundledSource::path)
          .toList(), tmp);
      for (BundleInfo.BundledSource s : missing) {
        Path f = tmp.resolve(s.path());
        String sha = Hashing.sha256(f);
        if (!sha.equals(s.sha256())) {
          throw new BundleException(bundle + ": " + s.path() + " (source " + s.id() + ") has sha256 " + sha
              + ", not the " + s.sha256() + " it is named by: the bundle is damaged");
        }
        Path target = cache.pathFor(s.sha256());
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".part");
        Files.copy(f, part);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        err.println("  source " + s.id() + " taken from the bundle into the cache (sha256 " + s.sha256() + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot put the bundle's sources into the cache " + cache.root() + ": "
          + e.getMessage(), e);
    } finally {
      if (tmp != null) org.d4c.core.io.Folders.deleteQuietly(tmp);
    }
  }

  private static Thread pump(InputStream in, PrintStream to) {
    Thread t = new Thread(() -> {
      try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) to.println(line);
      } catch (IOException ignored) {
        // the process ended
      }
    }, "bundle-launcher-output");
    t.setDaemon(true);
    t.start();
    return t;
  }

}
