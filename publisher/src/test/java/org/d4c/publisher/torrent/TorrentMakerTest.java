package org.d4c.publisher.torrent;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.libtorrent4j.FileStorage;
import org.libtorrent4j.TorrentInfo;
import org.libtorrent4j.WebSeedEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorrentMakerTest {
  static final List<String> SEEDS = List.of("https://a.example.org/d4c/", "https://b.example.org/mirror");

  @TempDir
  Path tmp;

  static Map<String, Integer> files() {
    Map<String, Integer> f = new LinkedHashMap<>();
    f.put("data.parquet", 300_000);
    f.put("parts/b.parquet", 70_001);
    f.put("parts/a.parquet", 123_457);
    f.put("rejects.parquet", 5);
    return f;
  }

  Path build(String name) {
    return FakeBuild.write(tmp.resolve(name), "boxes", "1.0.0", files(), 42);
  }

  @Test
  void sameBuildTwiceGivesIdenticalBytes() throws Exception {
    Path a = build("a");
    Path b = build("b"); // same content in another folder: the folder name must not leak in
    TorrentMaker.Result r1 = TorrentMaker.of(a).webSeeds(SEEDS).doi("10.5281/zenodo.1").writeTo(tmp.resolve("out/1.torrent"));
    TorrentMaker.Result r2 = TorrentMaker.of(b).webSeeds(SEEDS).doi("10.5281/zenodo.1").threads(1).writeTo(tmp.resolve("out/2.torrent"));
    assertArrayEquals(r1.bytes(), r2.bytes());
    assertArrayEquals(r1.bytes(), Files.readAllBytes(tmp.resolve("out/1.torrent")));
    assertEquals(r1.infoHashV1(), r2.infoHashV1());
    assertEquals(List.of("1.torrent", "2.torrent"), Files.list(tmp.resolve("out")).map(p -> p.getFileName().toString()).sorted().toList());
    String text = new String(r1.bytes(), StandardCharsets.ISO_8859_1);
    assertThat(text, not(containsString("creation date")));
    assertThat(text, containsString("10:created by3:d4c"));
    assertThat(r1.infoHashV1(), equalTo(new TorrentInfo(r1.bytes()).infoHash().toHex()));
    assertThat(r1.magnetUri(), startsWith("magnet:?xt=urn:btih:" + r1.infoHashV1()));
    assertThat(r1.magnetUri(), containsString("dn=boxes-1.0.0"));
  }

  @Test
  void trackersGoIntoTheAnnounceListOneTierEachAndIntoTheMagnet() {
    Path a = build("a");
    List<String> trackers = List.of("udp://tracker.example.org:6969/announce", "https://t.example.net/announce");
    TorrentMaker.Result r1 = TorrentMaker.of(a).webSeeds(SEEDS).trackers(trackers).make();
    TorrentMaker.Result r2 = TorrentMaker.of(a).webSeeds(SEEDS).trackers(trackers).make();
    assertArrayEquals(r1.bytes(), r2.bytes());
    TorrentInfo ti = new TorrentInfo(r1.bytes());
    assertEquals(trackers, ti.trackers().stream().map(t -> t.url()).toList());
    assertEquals(List.of(0, 1), ti.trackers().stream().map(t -> t.tier()).toList());
    String text = new String(r1.bytes(), StandardCharsets.ISO_8859_1);
    assertThat(text, containsString("8:announce39:udp://tracker.example.org:6969/announce"));
    assertThat(text, not(containsString("7:private")));
    assertEquals(r1.infoHashV1(), TorrentMaker.of(a).webSeeds(SEEDS).make().infoHashV1(), "trackers are outside the info dict");
    assertThat(r1.magnetUri(), containsString("&tr=udp%3a%2f%2ftracker.example.org%3a6969%2fannounce"));
    assertThat(r1.magnetUri(), containsString("&ws=https%3a%2f%2fa.example.org%2fd4c%2f"));
    // Without trackers there is no announce key at all: torrents made before trackers existed keep their bytes.
    assertThat(new String(TorrentMaker.of(a).webSeeds(SEEDS).make().bytes(), StandardCharsets.ISO_8859_1), not(containsString("announce")));
    assertThrows(IllegalArgumentException.class, () -> TorrentMaker.of(a).trackers(List.of("ftp://x.example/announce")));
    assertThrows(IllegalArgumentException.class, () -> TorrentMaker.of(a).trackers(List.of("udp://")));
  }

  @Test
  void magnetGetsTheTorrentUrlsAsExactSources() {
    String m = Magnet.withTorrentUrls("magnet:?xt=urn:btih:" + "ab".repeat(20) + "&dn=x",
        List.of("https://a.example.org/d4c/x/x.torrent", "http://b.example/m/x y.torrent", "https://a.example.org/d4c/x/x.torrent"));
    assertEquals("magnet:?xt=urn:btih:" + "ab".repeat(20) + "&dn=x&xs=https%3A%2F%2Fa.example.org%2Fd4c%2Fx%2Fx.torrent"
        + "&xs=http%3A%2F%2Fb.example%2Fm%2Fx%20y.torrent", m);
    assertThrows(IllegalArgumentException.class, () -> Magnet.withTorrentUrls("magnet:?xt=urn:btih:00", List.of("file:///etc/passwd")));
  }

  @Test
  void creationDateOnlyWhenAsked() {
    Path a = build("a");
    TorrentInfo ti = new TorrentInfo(TorrentMaker.of(a).creationDate(1_700_000_000L).make().bytes());
    assertEquals(1_700_000_000L, ti.creationDate());
    assertEquals(0L, new TorrentInfo(TorrentMaker.of(a).make().bytes()).creationDate());
  }

  @Test
  void pieceSizeRule() {
    assertEquals(16 * 1024, TorrentMaker.pieceSize(0));
    assertEquals(16 * 1024, TorrentMaker.pieceSize(1));
    assertEquals(16 * 1024, TorrentMaker.pieceSize(4000L * 16 * 1024)); // exactly 4,000 pieces
    assertEquals(32 * 1024, TorrentMaker.pieceSize(4000L * 16 * 1024 + 1));
    assertEquals(512 * 1024, TorrentMaker.pieceSize(1L << 30)); // 1 GiB: 4,096 pieces of 256 KiB is too many -> 2,048 of 512 KiB
    assertEquals(4 << 20, TorrentMaker.pieceSize(10L << 30)); // 10 GiB -> 2,560 pieces of 4 MiB
    assertEquals(64 << 20, TorrentMaker.pieceSize(1L << 40)); // capped: 16,384 pieces
    for (long size : new long[] {100L << 20, 3L << 30, 77_777_777_777L, 250L << 30}) {
      int p = TorrentMaker.pieceSize(size);
      long pieces = (size + p - 1) / p;
      assertEquals(0, p & (p - 1), "power of two");
      assertTrue(pieces <= 4000 && pieces > 2000, size + " -> " + pieces + " pieces of " + p);
    }
    assertThrows(IllegalArgumentException.class, () -> TorrentMaker.pieceSize(-1));
  }

  @Test
  void multiFileLayoutNamesAndV1Hashes() throws Exception {
    Path a = build("a");
    TorrentMaker.Result r = TorrentMaker.of(a).webSeeds(SEEDS).make();
    TorrentInfo ti = new TorrentInfo(r.bytes());
    assertEquals("boxes-1.0.0", ti.name());
    assertTrue(ti.hasV1());
    assertFalse(ti.hasV2());
    FileStorage fs = ti.files();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < fs.numFiles(); i++) paths.add(fs.filePath(i).replace('\\', '/'));
    assertEquals(List.of("boxes-1.0.0/data.parquet", "boxes-1.0.0/manifest.json", "boxes-1.0.0/parts/a.parquet",
        "boxes-1.0.0/parts/b.parquet", "boxes-1.0.0/rejects.parquet"), paths);
    // Piece hashes recomputed independently over the files concatenated in that order.
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String p : paths) all.write(Files.readAllBytes(a.resolve(p.substring("boxes-1.0.0/".length()))));
    byte[] bytes = all.toByteArray();
    assertEquals(bytes.length, ti.totalSize());
    assertEquals(TorrentMaker.pieceSize(bytes.length), ti.pieceLength());
    assertEquals((bytes.length + ti.pieceLength() - 1) / ti.pieceLength(), ti.numPieces());
    for (int i = 0; i < ti.numPieces(); i++) {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      int from = i * ti.pieceLength();
      sha1.update(bytes, from, Math.min(ti.pieceLength(), bytes.length - from));
      assertEquals(HexFormat.of().formatHex(sha1.digest()), ti.hashForPiece(i).toHex(), "piece " + i);
    }
  }

  @Test
  void urlListAndComment() {
    Path a = build("a");
    List<String> seeds = new ArrayList<>(SEEDS);
    seeds.add("https://a.example.org/d4c"); // a duplicate once the slash is added
    TorrentInfo ti = new TorrentInfo(TorrentMaker.of(a).webSeeds(seeds).doi("10.5281/zenodo.1").make().bytes());
    assertEquals(List.of("https://a.example.org/d4c/", "https://b.example.org/mirror/"),
        ti.webSeeds().stream().map(WebSeedEntry::url).toList());
    assertEquals("d4c dataset boxes version 1.0.0, DOI 10.5281/zenodo.1", ti.comment());
    assertEquals("d4c", ti.creator());
    assertEquals(0, ti.trackers().size());
    TorrentInfo noDoi = new TorrentInfo(TorrentMaker.of(a).make().bytes());
    assertEquals("d4c dataset boxes version 1.0.0", noDoi.comment());
    assertEquals(0, noDoi.webSeeds().size());
    assertThrows(IllegalArgumentException.class, () -> TorrentMaker.of(a).webSeeds(List.of("ftp://x/")));
  }

  @Test
  void hybridHasBothHashesAndIsDeterministic() {
    Path a = build("a");
    Path b = build("b");
    TorrentMaker.Result v1 = TorrentMaker.of(a).webSeeds(SEEDS).make();
    TorrentMaker.Result h1 = TorrentMaker.of(a).webSeeds(SEEDS).hybrid(true).make();
    TorrentMaker.Result h2 = TorrentMaker.of(b).webSeeds(SEEDS).hybrid(true).make();
    assertArrayEquals(h1.bytes(), h2.bytes());
    TorrentInfo ti = new TorrentInfo(h1.bytes());
    assertTrue(ti.hasV1());
    assertTrue(ti.hasV2());
    assertEquals("boxes-1.0.0", ti.name());
    assertNotEquals(v1.infoHashV1(), h1.infoHashV1());
    assertThat(h1.magnetUri(), containsString("urn:btmh:1220"));
    String text = new String(h1.bytes(), StandardCharsets.ISO_8859_1);
    assertThat(text, not(containsString("creation date")));
    assertThat(text, containsString("12:piece layers"));
  }

  @Test
  void sizeDifferentFromManifestIsRefused() throws Exception {
    Path a = build("a");
    Files.write(a.resolve("parts/a.parquet"), new byte[] {1, 2, 3});
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TorrentMaker.of(a).make());
    assertThat(e.getMessage(), containsString("parts/a.parquet has 3 bytes, the manifest says 123457"));
  }
}
