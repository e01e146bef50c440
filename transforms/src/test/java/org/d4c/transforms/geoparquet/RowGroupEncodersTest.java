package org.d4c.transforms.geoparquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.d4c.transforms.feature.Feature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.util.AffineTransformation;

/**
 * Row groups encoded on two threads give the bytes parquet-java's record writer gives, whatever the number of row
 * groups (none, one partial, whole ones, an odd or even last one) and across several pages per column.
 */
class RowGroupEncodersTest {
  @TempDir
  Path dir;

  private static List<Feature> features(int n, long seed) {
    Random rnd = new Random(seed);
    List<Feature> out = new ArrayList<>();
    GeometryFactory gf = new GeometryFactory();
    for (int i = 0; i < n; i++) {
      int k = i % TestFeatures.WKT.length;
      Geometry g = i % 3 == 0 ? gf.createPoint(new Coordinate(-140 + rnd.nextDouble() * 80, 42 + rnd.nextDouble() * 40))
          : AffineTransformation.translationInstance(rnd.nextInt(5), rnd.nextInt(5)).transform(TestFeatures.geometry(k));
      Object[] v = TestFeatures.VALUES[k].clone();
      if (v[1] != null) {
        v[1] = rnd.nextInt(1000); // a small domain: dictionary pages
        v[2] = rnd.nextLong();
        v[5] = "name " + rnd.nextInt(50_000);
        v[6] = LocalDate.ofEpochDay(rnd.nextInt(30_000));
        v[7] = Instant.ofEpochSecond(rnd.nextInt(1 << 30));
      }
      out.add(new Feature(0, i, g, v));
    }
    return out;
  }

  private byte[] write(String name, List<Feature> fs, int rowGroupRows, boolean parallel) throws Exception {
    Path file = dir.resolve(name);
    try (GeoParquetWriter w = new GeoParquetWriter(file, TestFeatures.SCHEMA,
        GeoParquetOptions.DEFAULTS.withRowGroupRows(rowGroupRows), parallel)) {
      assertThat("two-thread path in use", w.rowGroupsInParallel(), is(parallel));
      for (Feature f : fs) {
        w.write(f);
      }
      assertThat(w.rows(), is((long) fs.size()));
    }
    return Files.readAllBytes(file);
  }

  @Test
  void sameBytesForAnyNumberOfRowGroups() throws Exception {
    for (int n : new int[] {0, 3, 7, 13, 14, 17, 21, 30}) {
      List<Feature> fs = features(n, n);
      byte[] serial = write("serial-" + n + ".parquet", fs, 7, false);
      byte[] parallel = write("parallel-" + n + ".parquet", fs, 7, true);
      assertThat(n + " features in row groups of 7", Arrays.equals(parallel, serial), is(true));
    }
  }

  @Test
  void sameBytesWithManyPagesPerColumn() throws Exception {
    List<Feature> fs = features(45_000, 42);
    byte[] serial = write("serial.parquet", fs, 20_000, false);
    byte[] parallel = write("parallel.parquet", fs, 20_000, true);
    assertThat(parallel.length, is(serial.length));
    assertThat(Arrays.equals(parallel, serial), is(true));
  }
}
