package org.d4c.manifests.sources;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipGuardTest {
  static final long MB = 1 << 20;
  @TempDir Path tmp;

  Path zip(String name, String... entries) throws IOException {
    Path z = tmp.resolve(name);
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
      for (String e : entries) {
        out.putNextEntry(new ZipEntry(e));
        if (!e.endsWith("/")) out.write(("content of " + e).getBytes());
        out.closeEntry();
      }
    }
    return z;
  }

  Path zeros(String name, long bytes) throws IOException {
    Path z = tmp.resolve(name);
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
      out.putNextEntry(new ZipEntry("zeros.bin"));
      byte[] buf = new byte[(int) MB];
      for (long n = 0; n < bytes; n += buf.length) out.write(buf);
      out.closeEntry();
    }
    return z;
  }

  @Test
  void acceptsANormalZipAndItsMember() throws IOException {
    Path z = zip("ok.zip", "roads/", "roads/roads.shp", "roads/roads.dbf");
    ZipGuard.check(z, "roads/roads.shp");
    ZipGuard.check(z, null);
  }

  @Test
  void refusesASymbolicLinkSayingWhereItPoints() throws IOException {
    Path z = tmp.resolve("link.zip");
    try (var out = new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(z.toFile())) {
      var e = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("roads.shp");
      e.setUnixMode(0120777); // what `zip -y` stores for a link: the mode, and the target as the content
      out.putArchiveEntry(e);
      out.write("../../secret".getBytes());
      out.closeArchiveEntry();
    }
    SourceException e = assertThrows(SourceException.class, () -> ZipGuard.check(z, null));
    assertThat(e.getMessage(), allOf(containsString("\"roads.shp\" is a symbolic link"), containsString("\"../../secret\""),
        containsString("put the file itself in the zip")));
  }

  @Test
  void rejectsZipSlipNames() throws IOException {
    for (String bad : new String[] {"../evil.sh", "a/../../evil.sh", "/etc/passwd", "a\\..\\b", "C:/x"}) {
      Path z = zip("slip.zip", "fine.txt", bad);
      SourceException e = assertThrows(SourceException.class, () -> ZipGuard.check(z, null));
      assertThat(e.getMessage(), allOf(containsString(z.toString()), containsString("zip-slip"), containsString("\"" + bad + "\"")));
    }
  }

  @Test
  void missingMemberListsWhatExists() throws IOException {
    String[] names = new String[25];
    for (int i = 0; i < names.length; i++) names[i] = String.format("f%02d.txt", i);
    Path z = zip("many.zip", names);
    SourceException e = assertThrows(SourceException.class, () -> ZipGuard.check(z, "roads.shp"));
    assertThat(e.getMessage(), allOf(containsString("no member \"roads.shp\""), containsString("25 file(s): f00.txt, f01.txt"),
        containsString("f19.txt, ..."), org.hamcrest.Matchers.not(containsString("f20.txt"))));
  }

  @Test
  void rejectsABombBySize() throws IOException {
    Path z = zeros("bomb.zip", 50 * MB);
    assertThat(Files.size(z), lessThan(MB)); // it really is a bomb-like file
    SourceException e = assertThrows(SourceException.class, () -> ZipGuard.check(z, null, 10 * MB, 1e9));
    assertThat(e.getMessage(), allOf(containsString("zip bomb"), containsString(z.toString())));
  }

  @Test
  void rejectsABombByRatio() throws IOException {
    Path z = zeros("bomb.zip", 50 * MB);
    SourceException e = assertThrows(SourceException.class, () -> ZipGuard.check(z, null, 1L << 40, 200));
    assertThat(e.getMessage(), containsString("zip bomb"));
    ZipGuard.check(z, null, 1L << 40, 10_000); // a generous ratio lets it through
  }

  @Test
  void doesNotTrustDeclaredSizes() throws IOException {
    Path z = zeros("liar.zip", 20 * MB);
    // Rewrite the uncompressed size in the central directory to claim 100 bytes.
    byte[] b = Files.readAllBytes(z);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 46 < b.length; i++) {
      if (bb.getInt(i) == 0x02014b50) bb.putInt(i + 24, 100);
    }
    try (OutputStream out = Files.newOutputStream(z)) {
      out.write(b);
    }
    SourceException e = assertThrows(SourceException.class, () -> ZipGuard.check(z, null, 5 * MB, 1e9));
    assertThat(e.getMessage(), allOf(containsString("zip bomb: inflates to more than"), containsString("zeros.bin")));
  }
}
