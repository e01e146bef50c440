package org.d4c.transforms.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.rejects.Reject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records ReadOgr cannot turn into features go to {@link ReadOgr#REJECTS} with their reason; the others go on. */
class ReadRejectsIT {
  @TempDir
  static Path dir;

  @BeforeAll
  static void makeFixtures() throws IOException {
    Files.writeString(dir.resolve("odd.geojson"), """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","id":1,"properties":{"name":"point"},"geometry":{"type":"Point","coordinates":[1,2]}},
        {"type":"Feature","id":2,"properties":{"name":"no geometry"},"geometry":null},
        {"type":"Feature","id":3,"properties":{"name":"empty multipolygon"},
         "geometry":{"type":"MultiPolygon","coordinates":[]}},
        {"type":"Feature","id":4,"properties":{"name":"empty collection"},
         "geometry":{"type":"GeometryCollection","geometries":[]}},
        {"type":"Feature","id":5,"properties":{"name":"ligne"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}
        ]}
        """, StandardCharsets.UTF_8);
    ByteArrayOutputStream csv = new ByteArrayOutputStream();
    csv.writeBytes("WKT,name\n\"POINT (1 2)\",Montréal\n".getBytes(StandardCharsets.UTF_8));
    csv.writeBytes("\"POINT (3 4)\",Montréal\n".getBytes(StandardCharsets.ISO_8859_1)); // é is the lone byte 0xE9
    csv.writeBytes("\"POINT (5 6)\",Québec\n".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("mixed.csv"), csv.toByteArray());
  }

  private static OgrFixtures.Read read(String file) {
    return OgrFixtures.read(OgrLayers.describe(
        new OgrSource(4, "odd", dir.resolve(file).toString(), null, null, List.of()), 1000));
  }

  private static List<Reject> sorted(List<Reject> rejects) {
    return rejects.stream().sorted(Reject.ORDER).toList();
  }

  @Test
  void nullAndEmptyGeometriesAreRejectedWithTheirFid() {
    OgrFixtures.Read read = read("odd.geojson");
    List<Reject> rejects = sorted(read.rejects());
    assertThat(rejects.stream().map(r -> r.fid() + ":" + r.reason()).toList(),
        contains("2:null_geometry", "3:empty_geometry", "4:empty_geometry"));
    for (Reject r : rejects) {
      assertThat(r.source(), is(4));
    }
    assertThat(rejects.get(0).wkt(), nullValue());
    assertThat(rejects.get(1).wkt(), is("MULTIPOLYGON EMPTY"));
    assertThat(rejects.get(2).wkt(), is("GEOMETRYCOLLECTION EMPTY"));

    List<Feature> good = read.features().stream().sorted(Comparator.comparingLong(Feature::fid)).toList();
    assertThat(good.stream().map(Feature::fid).toList(), contains(1L, 5L));
    assertThat(good.get(1).value(0), is("ligne"));
    assertThat(good.get(1).geometry().toText(), is("LINESTRING (0 0, 1 1)"));
  }

  @Test
  void textThatIsNotUtf8IsRejectedNotRecoded() {
    OgrFixtures.Read read = read("mixed.csv");
    assertThat(read.rejects().size(), is(1));
    Reject r = read.rejects().get(0);
    assertThat(r.reason(), is(Reject.Reason.UNDECODABLE_ATTRIBUTE));
    assertThat(r.fid(), is(2L));
    assertThat(r.source(), is(4));
    assertThat(r.detail(), allOf(containsString("'name'"), containsString("UTF-8")));
    assertThat(r.wkt(), is("POINT (3 4)"));

    List<Feature> good = read.features().stream().sorted(Comparator.comparingLong(Feature::fid)).toList();
    assertThat(good.stream().map(Feature::fid).toList(), contains(1L, 3L));
    int name = 1; // after the WKT column
    assertThat(((String) good.get(0).value(name)).getBytes(StandardCharsets.UTF_8),
        equalTo("Montréal".getBytes(StandardCharsets.UTF_8)));
    assertThat(good.get(1).value(name), is("Québec"));
  }

  @Test
  void aCleanLayerHasNoRejects() {
    assertThat(read("mixed.csv").features().size(), is(2));
    OgrFixtures.Read clean = OgrFixtures.read(OgrLayers.describe(new OgrSource(0, "clean",
        dir.resolve("odd.geojson").toString(), null, "name IN ('point', 'ligne')", List.of()), 1000));
    assertThat(clean.rejects(), is(empty()));
    assertThat(clean.features().size(), is(2));
  }
}
