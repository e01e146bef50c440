package org.d4c.transforms.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FieldType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OGR date-times become UTC instants: time zones in quarter hours, fractions of a second, no zone as UTC. */
class ReadDateTimesIT {
  @TempDir
  static Path dir;

  @BeforeAll
  static void makeFixture() throws IOException {
    Files.writeString(dir.resolve("times.geojson"), """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","id":1,"properties":{"t":"2024-07-01T12:34:56.789Z"},"geometry":{"type":"Point","coordinates":[0,0]}},
        {"type":"Feature","id":2,"properties":{"t":"2024-07-01T12:34:56+05:30"},"geometry":{"type":"Point","coordinates":[0,0]}},
        {"type":"Feature","id":3,"properties":{"t":"2024-07-01T12:34:56-03:30"},"geometry":{"type":"Point","coordinates":[0,0]}},
        {"type":"Feature","id":4,"properties":{"t":"2024-07-01T12:34:56"},"geometry":{"type":"Point","coordinates":[0,0]}},
        {"type":"Feature","id":5,"properties":{"t":"2024-12-31T23:59:59.9999Z"},"geometry":{"type":"Point","coordinates":[0,0]}},
        {"type":"Feature","id":6,"properties":{"t":null},"geometry":{"type":"Point","coordinates":[0,0]}}
        ]}
        """, StandardCharsets.UTF_8);
  }

  private static OgrFixtures.Read read() {
    OgrLayerInfo info = OgrLayers.describe(
        new OgrSource(0, "times", dir.resolve("times.geojson").toString(), null, null, List.of()), 1000);
    assertThat(info.schema().field(0).type(), is(FieldType.TIMESTAMP));
    return OgrFixtures.read(info);
  }

  @Test
  void zonesAndMillisecondsBecomeUtcInstants() {
    Map<Long, Feature> f = read().byFid();
    assertThat(f.get(1L).value(0), is(Instant.parse("2024-07-01T12:34:56.789Z")));
    assertThat(f.get(2L).value(0), is(Instant.parse("2024-07-01T07:04:56Z")));
    assertThat(f.get(3L).value(0), is(Instant.parse("2024-07-01T16:04:56Z"))); // Newfoundland time
    assertThat(f.get(4L).value(0), is(Instant.parse("2024-07-01T12:34:56Z"))); // no zone: taken as UTC
    assertThat(f.get(6L).value(0), is((Object) null));
  }

  @Test
  void fractionThatRoundsToTheNextSecondIsNotRejected() {
    // OGR keeps seconds as a float (59.9999); rounded to milliseconds that is a whole minute later, not "second 60".
    OgrFixtures.Read read = read();
    assertThat("rejects " + read.rejects(), read.rejects(), is(empty()));
    assertThat(read.byFid().get(5L).value(0), is(Instant.parse("2025-01-01T00:00:00Z")));
  }
}
