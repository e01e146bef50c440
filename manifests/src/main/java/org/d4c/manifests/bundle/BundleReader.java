package org.d4c.manifests.bundle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.d4c.core.json.CanonicalJson;
import org.d4c.manifests.lock.CodeVersion;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * Reads a source bundle without trusting it: {@link #read} takes {@code bundle.json} and {@code manifest.json} out
 * of the tarball; {@link #unpack} writes it into {@code <bundles>/<commit>/} through a temporary folder and one
 * atomic move, refusing any entry that would land outside it ({@code ..}, absolute names, links, devices, symbolic
 * links pointing out), more than {@link #MAX_BYTES} bytes or {@link #MAX_ENTRIES} entries, and a code tree whose
 * git tree id is not the one the commit object names (the commit object's own sha1 must be the commit).
 */
public final class BundleReader {
  public static final long MAX_BYTES = 4L << 30;
  public static final int MAX_ENTRIES = 200_000;
  /** Written at the root of an unpacked, verified bundle: the commit its code is. {@link CodeVersion} reads it. */
  public static final String MARKER = CodeVersion.BUNDLE_MARKER;

  /** What {@link #read} finds: the bundle's description and the manifest bytes it carries. */
  public record Contents(BundleInfo info, byte[] manifest) {}

  /** An unpacked bundle: its code folder, description, whether an earlier unpack was reused. */
  public record Unpacked(Path dir, BundleInfo info, boolean reused) {}

  private final long maxBytes;
  private final int maxEntries;

  private BundleReader(long maxBytes, int maxEntries) {
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
  }

  public static BundleReader withDefaultLimits() {
    return new BundleReader(MAX_BYTES, MAX_ENTRIES);
  }

  public static BundleReader withLimits(long maxBytes, int maxEntries) {
    return new BundleReader(maxBytes, maxEntries);
  }

  /** {@code ${D4C_CACHE:-~/.cache/d4c}/bundles}. */
  public static Path defaultRoot() {
    String env = System.getenv("D4C_CACHE");
    Path base = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "d4c");
    return base.resolve("bundles");
  }

  /** bundle.json and manifest.json of the bundle, read in one pass without unpacking. */
  public Contents read(Path bundle) {
    BundleInfo info = null;
    byte[] manifest = null;
    try (TarArchiveInputStream tar = open(bundle)) {
      String root = null;
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        String name = e.getName();
        if (root == null) root = rootOf(bundle, name);
        if (name.equals(root + BundleInfo.FILE_NAME)) {
          info = CanonicalJson.mapper().readValue(limited(tar, 1 << 20, bundle, name), BundleInfo.class);
        } else if (name.equals(root + "manifest.json")) {
          manifest = limited(tar, 64 << 20, bundle, name);
        }
      }
    } catch (IOException e) {
      throw new BundleException(bundle + ": not a readable source bundle (.tar.gz): " + e.getMessage(), e);
    }
    if (info == null || manifest == null) {
      throw new BundleException(bundle + ": not a d4c source bundle: no " + (info == null ? BundleInfo.FILE_NAME
          : "manifest.json") + " in its root folder (make one with SourceBundle or the publish step)");
    }
    if (!info.commit().matches("[0-9a-f]{40}")) {
      throw new BundleException(bundle + ": bundle.json commit \"" + info.commit() + "\" is not a commit id");
    }
    return new Contents(info, manifest);
  }

  /**
   * Unpacks {@code bundle} into {@code bundlesRoot/<commit>/} (root folder stripped), or reuses that folder when
   * an earlier unpack finished there. Nothing appears under the final name unless every check passed.
   */
  public Unpacked unpack(Path bundle, Path bundlesRoot) {
    BundleInfo info = read(bundle).info();
    Path target = bundlesRoot.resolve(info.commit());
    if (Files.isRegularFile(target.resolve(MARKER))) return new Unpacked(target, info, true);
    Path tmp = bundlesRoot.resolve(".unpack-" + info.commit() + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(bundlesRoot);
      Files.createDirectory(tmp);
      Map<String, Object> tree = extract(bundle, tmp, info);
      verifyTree(bundle, info, tree);
      Files.writeString(tmp.resolve(MARKER), info.commit() + "\n");
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
        if (!Files.isRegularFile(target.resolve(MARKER))) {
          throw new BundleException(target + " exists but is not a finished unpack of a bundle: remove it and run again");
        }
      }
      return new Unpacked(target, info, false);
    } catch (IOException e) {
      throw new BundleException("cannot unpack " + bundle + " into " + target + ": " + e.getMessage(), e);
    } finally {
      org.d4c.core.io.Folders.deleteQuietly(tmp);
    }
  }

  /** Extracts only the regular files named (relative to the bundle's root folder) into {@code dir}. */
  public void extractFiles(Path bundle, List<String> paths, Path dir) {
    long total = 0;
    try (TarArchiveInputStream tar = open(bundle)) {
      String root = null;
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        if (root == null) root = rootOf(bundle, e.getName());
        String rel = relative(bundle, root, e.getName());
        if (!e.isFile() || !paths.contains(rel)) continue;
        total += e.getSize();
        if (total > maxBytes) throw refuse(bundle, e.getName(), "more than " + maxBytes + " bytes unpacked");
        Path out = dir.resolve(rel).normalize();
        if (!out.startsWith(dir)) throw refuse(bundle, e.getName(), "lands outside the target folder");
        Files.createDirectories(out.getParent());
        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new BundleException("cannot read " + bundle + ": " + e.getMessage(), e);
    }
    for (String p : paths) {
      if (!Files.isRegularFile(dir.resolve(p))) throw new BundleException(bundle + ": " + p + " is named in bundle.json but missing");
    }
  }

  /** Extracts every entry under {@code dir}; returns the code tree as nested maps (name to ObjectId+mode or map). */
  private Map<String, Object> extract(Path bundle, Path dir, BundleInfo info) throws IOException {
    Map<String, Object> tree = new TreeMap<>();
    List<String[]> links = new ArrayList<>();
    long total = 0;
    int count = 0;
    String root = null;
    try (TarArchiveInputStream tar = open(bundle)) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        String name = e.getName();
        if (root == null) root = rootOf(bundle, name);
        if (++count > maxEntries) throw refuse(bundle, name, "more than " + maxEntries + " entries");
        String rel = relative(bundle, root, name);
        if (rel.isEmpty()) continue;
        boolean extra = info.extras().stream().anyMatch(x -> rel.equals(x) || rel.startsWith(x + "/")
            || x.startsWith(rel + "/"));
        Path out = dir.resolve(rel).normalize();
        if (!out.startsWith(dir)) throw refuse(bundle, name, "lands outside the target folder");
        if (e.isDirectory()) {
          Files.createDirectories(out);
          if (!extra && info.gitlinks().containsKey(rel)) put(tree, rel, new Leaf(FileMode.GITLINK, ObjectId.fromString(info.gitlinks().get(rel))));
          continue;
        }
        if (e.isSymbolicLink()) {
          String link = e.getLinkName();
          Path resolved = out.getParent().resolve(link).normalize();
          if (link.startsWith("/") || !resolved.startsWith(dir)) {
            throw refuse(bundle, name, "a symbolic link pointing outside the bundle (" + link + ")");
          }
          links.add(new String[] {rel, link});
          put(tree, rel, new Leaf(FileMode.SYMLINK, idFor(link.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
          continue;
        }
        if (!e.isFile()) throw refuse(bundle, name, "a hard link, device or other special entry");
        total += e.getSize();
        if (total > maxBytes) throw refuse(bundle, name, "more than " + maxBytes + " bytes unpacked");
        requireNoLinkOnPath(dir, out, bundle, name);
        Files.createDirectories(out.getParent());
        java.security.MessageDigest sha1 = Constants.newMessageDigest();
        sha1.update(Constants.encodedTypeString(Constants.OBJ_BLOB));
        sha1.update((byte) ' ');
        sha1.update(Constants.encodeASCII(e.getSize()));
        sha1.update((byte) 0);
        long copied = 0;
        try (OutputStream os = Files.newOutputStream(out, java.nio.file.StandardOpenOption.CREATE_NEW)) {
          byte[] buf = new byte[1 << 16];
          for (int n; (n = tar.read(buf)) > 0; ) {
            os.write(buf, 0, n);
            sha1.update(buf, 0, n);
            copied += n;
          }
        }
        if (copied != e.getSize()) throw refuse(bundle, name, "truncated");
        boolean exec = (e.getMode() & 0100) != 0;
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
        Files.setLastModifiedTime(out, FileTime.fromMillis(e.getModTime().getTime()));
        if (!extra) put(tree, rel, new Leaf(exec ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE,
            ObjectId.fromRaw(sha1.digest())));
      }
    }
    if (root == null) throw new BundleException(bundle + ": empty archive, not a source bundle");
    for (String[] l : links) {
      Path at = dir.resolve(l[0]).normalize();
      if (Files.exists(at, LinkOption.NOFOLLOW_LINKS)) throw refuse(bundle, l[0], "a symbolic link over another entry");
      Files.createDirectories(at.getParent());
      Files.createSymbolicLink(at, Path.of(l[1]));
    }
    if (total == 0 && tree.isEmpty()) throw new BundleException(bundle + ": no code in the bundle");
    return tree;
  }

  private record Leaf(FileMode mode, ObjectId id) {}

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> tree, String path, Leaf leaf) {
    String[] parts = path.split("/");
    Map<String, Object> at = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      at = (Map<String, Object>) at.computeIfAbsent(parts[i], k -> new TreeMap<String, Object>());
    }
    at.put(parts[parts.length - 1], leaf);
  }

  /** The commit object's sha1 must be the commit, and the tree it names must be the tree unpacked. */
  private static void verifyTree(Path bundle, BundleInfo info, Map<String, Object> tree) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(info.commitObject());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new BundleException(bundle + ": bundle.json commit_object is not base64");
    }
    ObjectId commitId = new ObjectInserter.Formatter().idFor(Constants.OBJ_COMMIT, raw);
    if (!commitId.name().equals(info.commit())) {
      throw new BundleException(bundle + ": bundle.json commit_object hashes to " + commitId.name() + ", not to the"
          + " commit " + info.commit() + " it claims: the bundle is damaged or forged");
    }
    String head = new String(raw, 0, Math.min(raw.length, 46), java.nio.charset.StandardCharsets.US_ASCII);
    String named = head.startsWith("tree ") ? head.substring(5, 45) : "";
    ObjectId actual = treeId(tree);
    if (!actual.name().equals(named)) {
      throw new BundleException(bundle + ": the code in the bundle is not commit " + info.commit() + ": its git"
          + " tree is " + actual.name() + ", the commit's is " + named + " (files changed, added or removed)");
    }
  }

  @SuppressWarnings("unchecked")
  private static ObjectId treeId(Map<String, Object> tree) {
    // Git orders entries by name, a tree's name compared as if it ended in '/'.
    List<Map.Entry<String, Object>> entries = new ArrayList<>(tree.entrySet());
    entries.sort(Comparator.comparing(en -> en.getKey() + (en.getValue() instanceof Map ? "/" : ""),
        Comparator.comparing((String s) -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            java.util.Arrays::compareUnsigned)));
    TreeFormatter f = new TreeFormatter();
    for (Map.Entry<String, Object> en : entries) {
      if (en.getValue() instanceof Map<?, ?> sub) {
        f.append(en.getKey(), FileMode.TREE, treeId((Map<String, Object>) sub));
      } else {
        Leaf l = (Leaf) en.getValue();
        f.append(en.getKey(), l.mode(), l.id());
      }
    }
    return f.computeId(new ObjectInserter.Formatter());
  }

  private static ObjectId idFor(byte[] bytes) {
    return new ObjectInserter.Formatter().idFor(Constants.OBJ_BLOB, bytes);
  }

  private static void requireNoLinkOnPath(Path dir, Path out, Path bundle, String name) {
    for (Path p = out.getParent(); p != null && p.startsWith(dir) && !p.equals(dir); p = p.getParent()) {
      if (Files.isSymbolicLink(p)) throw refuse(bundle, name, "a path through a symbolic link");
    }
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) throw refuse(bundle, name, "a second entry with the same name");
  }

  private static String rootOf(Path bundle, String first) {
    String root = first.endsWith("/") ? first : first.substring(0, Math.max(0, first.indexOf('/') + 1));
    if (root.isEmpty() || root.indexOf('/') != root.length() - 1 || root.equals("../") || root.equals("./")
        || root.startsWith("/")) {
      throw refuse(bundle, first, "not under a single root folder");
    }
    return root;
  }

  private static String relative(Path bundle, String root, String name) {
    if (name.startsWith("/") || name.contains("\\") || name.contains("\0")) throw refuse(bundle, name, "an absolute or odd name");
    if (!name.startsWith(root)) throw refuse(bundle, name, "outside the root folder " + root);
    String rel = name.substring(root.length());
    if (rel.endsWith("/")) rel = rel.substring(0, rel.length() - 1);
    for (String part : rel.split("/")) {
      if (part.equals("..") || part.equals(".") || (part.isEmpty() && !rel.isEmpty())) {
        throw refuse(bundle, name, "a '..', '.' or empty path segment");
      }
    }
    return rel;
  }

  private static BundleException refuse(Path bundle, String entry, String why) {
    return new BundleException(bundle + ": refused entry \"" + entry + "\": " + why + "; the bundle is unsafe or"
        + " damaged, nothing was unpacked");
  }

  private static TarArchiveInputStream open(Path bundle) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(bundle), 1 << 16);
    try {
      return new TarArchiveInputStream(new GZIPInputStream(in, 1 << 16));
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }

  private static byte[] limited(InputStream in, int max, Path bundle, String name) throws IOException {
    byte[] b = in.readNBytes(max + 1);
    if (b.length > max) throw refuse(bundle, name, "larger than " + max + " bytes");
    return b;
  }

}
