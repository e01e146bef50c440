package org.d4c.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Makes libtorrent4j's JNI library loadable: when {@code -Dlibtorrent4j.jni.path} is not set, copies
 * {@code lib/x86_64/libtorrent4j.so} out of the (shaded) jar into {@code ~/.cache/d4c/libtorrent4j/<sha256>/} — named by
 * its content hash, so two versions never collide and a half-written copy is never used — and sets the property.
 * Must run before the first libtorrent4j class loads.
 */
public final class Natives {
  public static final String PROPERTY = "libtorrent4j.jni.path";
  static final String RESOURCE = "lib/x86_64/libtorrent4j.so";

  private Natives() {}

  public static void ensureLibtorrent() {
    String set = System.getProperty(PROPERTY);
    if (set != null && !set.isBlank()) {
      if (!Files.isRegularFile(Path.of(set))) throw new IllegalStateException("-D" + PROPERTY + " names " + set + ", which does not exist");
      return;
    }
    try (InputStream in = Natives.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("no " + RESOURCE + " on the classpath: add org.libtorrent4j:libtorrent4j-linux or set -D" + PROPERTY);
      byte[] bytes = in.readAllBytes();
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      String cache = System.getenv().getOrDefault("XDG_CACHE_HOME", System.getProperty("user.home") + "/.cache");
      Path dir = Path.of(cache, "d4c", "libtorrent4j", sha.substring(0, 16));
      Path so = dir.resolve("libtorrent4j.so");
      if (!Files.isRegularFile(so) || Files.size(so) != bytes.length) {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".libtorrent4j", ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, so, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      System.setProperty(PROPERTY, so.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the libtorrent4j native library", e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
