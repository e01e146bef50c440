package org.d4c.transforms.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FieldType;
import org.d4c.transforms.rejects.Reject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text outside the Basic Multilingual Plane (emoji, some CJK): GDAL 3.6's Java {@code GetFieldAsString} mangles it, so
 * ReadOgr must read the bytes, or reject what it cannot read exactly; it must never write altered text.
 */
class ReadUnicodeIT {
  @TempDir
  static Path dir;

  static final String MAPLE = "Québec🍁 𠜎"; // U+1F341 and U+2070E, four UTF-8 bytes each

  @BeforeAll
  static void makeFixtures() throws IOException {
    Files.writeString(dir.resolve("emoji.geojson"), """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","id":1,"properties":{"name":"%s","tags":["🍁","b"]},
         "geometry":{"type":"Point","coordinates":[1,2]}}
        ]}
        """.formatted(MAPLE), StandardCharsets.UTF_8);
    OgrFixtures.ogr2ogr(dir, "-f", "GPKG", "emoji.gpkg", "emoji.geojson");
  }

  private static OgrFixtures.Read read(String file) {
    return OgrFixtures.read(OgrLayers.describe(
        new OgrSource(0, "emoji", dir.resolve(file).toString(), null, null, List.of()), 1000));
  }

  @Test
  void plainStringsKeepEveryByte() {
    for (String file : new String[] {"emoji.geojson", "emoji.gpkg"}) {
      OgrFixtures.Read read = read(file);
      assertThat(read.rejects(), is(empty()));
      Feature f = read.features().get(0);
      assertThat(file, HexFormat.of().formatHex(((String) f.value(0)).getBytes(StandardCharsets.UTF_8)),
          is(HexFormat.of().formatHex(MAPLE.getBytes(StandardCharsets.UTF_8))));
    }
  }

  @Test
  void stringListWithAnEmojiIsKeptOrRejectedButNeverMangled() {
    OgrLayerInfo info = OgrLayers.describe(
        new OgrSource(0, "emoji", dir.resolve("emoji.geojson").toString(), null, null, List.of()), 1000);
    int tags = info.schema().indexOf("tags");
    assertThat(info.schema().field(tags).type(), is(FieldType.STRING)); // an OGR StringList, kept as text
    OgrFixtures.Read read = OgrFixtures.read(info);
    if (read.features().isEmpty()) {
      assertThat(read.rejects().get(0).reason(), is(Reject.Reason.UNDECODABLE_ATTRIBUTE));
      return;
    }
    // OGR's own text of the list is "(2:🍁,b)"; GDAL 3.6's Java GetFieldAsString returns "(2:ð".
    String value = (String) read.features().get(0).value(tags);
    assertThat("tags read as " + HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8)), value,
        anyOf(equalTo("(2:🍁,b)"), equalTo("[\"🍁\",\"b\"]")));
  }
}
