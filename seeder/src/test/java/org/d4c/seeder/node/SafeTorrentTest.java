package org.d4c.seeder.node;

import org.d4c.core.io.Natives;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SafeTorrentTest {
  @BeforeAll
  static void natives() {
    Natives.ensureLibtorrent();
  }

  /** A minimal bencoder, so the test can write names libtorrent itself would never produce. */
  static void ben(Object o, ByteArrayOutputStream out) {
    if (o instanceof String s) o = s.getBytes(StandardCharsets.UTF_8);
    if (o instanceof byte[] b) {
      out.writeBytes((b.length + ":").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(b);
    } else if (o instanceof Long || o instanceof Integer) {
      out.writeBytes(("i" + o + "e").getBytes(StandardCharsets.US_ASCII));
    } else if (o instanceof List<?> l) {
      out.write('l');
      l.forEach(x -> ben(x, out));
      out.write('e');
    } else if (o instanceof Map<?, ?> m) {
      out.write('d');
      new TreeMap<>(m).forEach((k, v) -> {
        ben(k, out);
        ben(v, out);
      });
      out.write('e');
    }
  }

  static byte[] torrent(String name, List<String> path) {
    Map<String, Object> info = new TreeMap<>();
    info.put("name", name);
    info.put("piece length", 16384);
    info.put("pieces", new byte[20]);
    info.put("files", List.of(Map.of("length", 10, "path", path)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ben(Map.of("info", info), out);
    return out.toByteArray();
  }

  @Test
  void acceptsAnOrdinaryTorrent() {
    assertEquals(1, SafeTorrent.parse(torrent("roads-1.0.0", List.of("parts", "a.parquet")), "t").numFiles());
  }

  @Test
  void refusesNamesThatLeaveTheDataFolder() {
    for (List<String> bad : List.of(List.of("..", "etc", "passwd"), List.of("", "etc"), List.of("a\\..\\..\\b"), List.of("C:evil"),
        List.of("a/../../b"))) {
      var e = assertThrows(SafeTorrent.UnsafeTorrentException.class, () -> SafeTorrent.parse(torrent("ok", bad), "item-1"), bad.toString());
      assertThat(e.getMessage(), containsString("item-1: info.files[0].path"));
    }
    var e = assertThrows(SafeTorrent.UnsafeTorrentException.class, () -> SafeTorrent.parse(torrent("..", List.of("a")), "item-2"));
    assertThat(e.getMessage(), containsString("info.name"));
    assertThrows(SafeTorrent.UnsafeTorrentException.class, () -> SafeTorrent.parse(torrent("/abs", List.of("a")), "x"));
    assertThrows(SafeTorrent.UnsafeTorrentException.class, () -> SafeTorrent.parse("not bencode".getBytes(StandardCharsets.UTF_8), "x"));
  }
}
