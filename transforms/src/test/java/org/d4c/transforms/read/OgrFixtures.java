package org.d4c.transforms.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.testing.Pipelines;
import org.gdal.gdal.Dataset;
import org.gdal.gdal.gdal;
import org.gdal.gdalconst.gdalconst;
import org.gdal.ogr.Layer;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/** Helpers of the OGR integration tests: make fixtures with GDAL's own tools, read them with GDAL or with ReadOgr. */
public final class OgrFixtures {
  private OgrFixtures() {}

  /** Runs {@code ogr2ogr args...} in {@code dir}; fails the test with GDAL's output when it fails. */
  public static void ogr2ogr(Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("ogr2ogr");
    cmd.addAll(Arrays.asList(args));
    run(dir, cmd);
  }

  static void run(Path dir, List<String> cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
      pb.environment().put("LC_ALL", "C.UTF-8");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      if (rc != 0) {
        throw new AssertionError(String.join(" ", cmd) + " failed with exit code " + rc + ":\n" + out);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Copies a test resource into {@code dir}. */
  public static Path resource(String name, Path dir) throws IOException {
    Path target = dir.resolve(Path.of(name).getFileName().toString());
    try (InputStream in = OgrFixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("no test resource " + name);
      }
      Files.copy(in, target);
    }
    return target;
  }

  /** Zips every file under {@code folder} into {@code zip}, entries under {@code prefix} ("" or "a/b/"), sorted. */
  public static void zip(Path folder, Path zip, String prefix) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(folder)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
      for (Path f : files) {
        z.putNextEntry(new ZipEntry(prefix + folder.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, z);
        z.closeEntry();
      }
    }
  }

  public static OgrSource source(String datasetName, String layer) {
    return new OgrSource(0, "test-source", datasetName, layer, null, List.of());
  }

  /** Features and rejects ReadOgr produced. */
  public record Read(List<Feature> features, List<Reject> rejects) {
    public Map<Long, Feature> byFid() {
      Map<Long, Feature> m = new TreeMap<>();
      for (Feature f : features) {
        if (m.put(f.fid(), f) != null) {
          throw new AssertionError("FID " + f.fid() + " was read twice");
        }
      }
      return m;
    }
  }

  /** Reads the described layer with ReadOgr on the Direct runner. */
  public static Read read(OgrLayerInfo info, String... pipelineArgs) {
    Pipeline p = Pipelines.direct(pipelineArgs);
    PCollectionTuple t = p.apply("Read", ReadOgr.from(info));
    var features = Pipelines.collect(t.get(ReadOgr.FEATURES));
    var rejects = Pipelines.collect(t.get(ReadOgr.REJECTS));
    Pipelines.run(p);
    return new Read(features.get(), rejects.get());
  }

  /** One feature as GDAL's Java API reads it directly: FID, geometry, and every field as OGR's own text. */
  public record OgrRow(long fid, Geometry geometry, Map<String, String> fields) {}

  /** Every feature of a layer, read with plain GDAL calls (the reference ReadOgr is compared with). */
  public static Map<Long, OgrRow> readWithGdal(String datasetName, String layerName) {
    Gdal.start();
    Dataset ds = gdal.OpenEx(datasetName, gdalconst.OF_VECTOR | gdalconst.OF_READONLY);
    assertThat("GDAL opens " + datasetName, ds != null, is(true));
    try {
      Layer layer = layerName == null ? ds.GetLayerByIndex(0) : ds.GetLayerByName(layerName);
      Map<Long, OgrRow> rows = new TreeMap<>();
      WKBReader wkb = new WKBReader();
      org.gdal.ogr.Feature f;
      layer.ResetReading();
      while ((f = layer.GetNextFeature()) != null) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < f.GetFieldCount(); i++) {
          fields.put(f.GetFieldDefnRef(i).GetName(), f.IsFieldSetAndNotNull(i) ? text(f, i) : null);
        }
        Geometry g = null;
        if (f.GetGeometryRef() != null) {
          try {
            g = wkb.read(f.GetGeometryRef().ExportToIsoWkb());
          } catch (ParseException e) {
            throw new AssertionError(e);
          }
        }
        rows.put(f.GetFID(), new OgrRow(f.GetFID(), g, fields));
        f.delete();
      }
      return rows;
    } finally {
      ds.delete();
    }
  }

  /**
   * OGR's text of a field. GDAL 3.6's Java {@code GetFieldAsString} goes through JNI's modified UTF-8 and mangles
   * characters outside the BMP ("🍁" comes back as "ð"), so plain strings are taken as their bytes.
   */
  static String text(org.gdal.ogr.Feature f, int i) {
    if (f.GetFieldType(i) == org.gdal.ogr.ogr.OFTString) {
      return new String(f.GetFieldAsBinary(i), StandardCharsets.UTF_8);
    }
    return f.GetFieldAsString(i);
  }

  /** The cause chain of {@code t}, to find the exception a runner wrapped. */
  public static <T extends Throwable> T causeOfType(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in the causes of " + t, t);
  }
}
