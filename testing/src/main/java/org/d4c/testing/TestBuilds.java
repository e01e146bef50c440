package org.d4c.testing;

import org.d4c.geoparquet.ParquetWriters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.d4c.manifests.lock.CodeVersion;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.Recipes;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.ByteOrderValues;
import org.locationtech.jts.io.WKBWriter;

/**
 * The one fake build writer of the test suites. Fake-but-valid build folders: a real small GeoParquet 1.1 file (WKB polygons, bbox covering
 * struct, geo metadata) and a manifest.json written by {@link Manifests#write} from a real recipe, exactly the shape
 * {@code d4c build} leaves. No Beam, no GDAL.
 */
public final class TestBuilds {
  /** One dataset version to fake. */
  public record Spec(String dataset, String version, String timeYaml, String crs, List<double[]> boxes, String title) {
    public Spec {
      boxes = List.copyOf(boxes);
    }

    public static Spec of(String dataset, String version, double[]... boxes) {
      return new Spec(dataset, version, "datetime: 2023-02-03", "OGC:CRS84", Arrays.asList(boxes), "Test " + dataset);
    }

    public Spec withTime(String yaml) {
      return new Spec(dataset, version, yaml, crs, boxes, title);
    }

    public Spec withCrs(String c) {
      return new Spec(dataset, version, timeYaml, c, boxes, title);
    }
  }

  public static final double[] CANADA = {-141, 41.7, -52.6, 83.1};
  public static final double[] OTTAWA = {-76, 45, -75.5, 45.5};
  public static final double[] NZ = {166, -47, 178.6, -34};
  /** The catalog's lock file, left out of snapshots (it is not content). */
  static final String LOCK_FILE = ".d4c-catalog.lock";
  private static final GeometryFactory FACTORY = new GeometryFactory();

  private TestBuilds() {}

  /** Writes the build folder {@code dir} (data.parquet + manifest.json) and returns it. */
  public static Path write(Path dir, Spec s) {
    try {
      Files.createDirectories(dir);
      Path data = dir.resolve("data.parquet");
      writeGeoParquet(data, s.boxes());
      String yaml = "dataset: " + s.dataset() + "\nversion: " + s.version() + "\ntitle: " + s.title() + "\n"
          + "description: Boxes for the catalog tests.\nlicense: CC-BY-4.0\ncrs: " + s.crs() + "\n" + s.timeYaml() + "\n"
          + "keywords: [test, boxes, " + s.dataset() + "]\n"
          + "providers:\n  - name: d4c tests\n    roles: [producer]\n"
          + "sources:\n  - id: src\n    urls: [data/src.gpkg]\n    sha256: " + "ab".repeat(32) + "\n    size: 1234\n"
          + "outputs:\n  - name: data\n    source: src\n";
      Recipe recipe = Recipes.parse(yaml, dir.resolve("recipe.yaml"));
      Map<String, Object> params = new TreeMap<>();
      params.put("crs", s.crs());
      params.put("geoparquet_version", "1.1.0");
      Manifest m = Manifest.of(recipe, "recipes/" + s.dataset() + "/recipe.yaml",
          new CodeVersion("0123456789abcdef0123456789abcdef01234567", false, null),
          new Manifest.Environment(Map.of(), Map.of("d4c", "0.1.0-test", "java", "17")), params,
          List.of(Manifest.OutputFile.of(dir, data, s.boxes().size(), Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA)),
          Manifest.Rejects.NONE);
      Manifests.write(dir, m);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Random bytes for every file (relative path -> size), in path order from one seeded generator. */
  public static void randomFiles(Path dir, Map<String, Integer> files, long seed) {
    try {
      java.util.Random random = new java.util.Random(seed);
      for (Map.Entry<String, Integer> e : new TreeMap<>(files).entrySet()) {
        Path f = dir.resolve(e.getKey());
        Files.createDirectories(f.getParent());
        byte[] bytes = new byte[e.getValue()];
        random.nextBytes(bytes);
        Files.write(f, bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The start of a test recipe (everything before {@code outputs:}), with one locked source {@code src}. */
  public static String recipeHead(String dataset, String version, String title, String description) {
    return "dataset: " + dataset + "\nversion: " + version + "\ntitle: " + title + "\n"
        + "description: " + description + "\nlicense: CC-BY-4.0\ncrs: OGC:CRS84\ndatetime: 2023-02-03\n"
        + "keywords: [test]\nproviders:\n  - name: d4c tests\n    roles: [producer]\n"
        + "sources:\n  - id: src\n    urls: [data/src.gpkg]\n    sha256: " + "ab".repeat(32) + "\n    size: 1234\n";
  }

  /**
   * Writes the manifest of the files already in {@code dir} (relative paths; one recipe output each, all of role data)
   * with the recipe {@code head} (see {@link #recipeHead}) and returns it.
   */
  public static Manifest lock(Path dir, String head, java.util.Collection<String> paths, Map<String, Object> parameters,
      String repositoryUrl) {
    List<Manifest.OutputFile> outputs = new ArrayList<>();
    StringBuilder outs = new StringBuilder();
    int n = 0;
    for (String path : new java.util.TreeSet<>(paths)) {
      outputs.add(Manifest.OutputFile.of(dir, dir.resolve(path), 10 + n, Manifest.OutputFile.PARQUET, Manifest.OutputFile.DATA));
      outs.append("  - name: out").append(n++).append("\n    source: src\n");
    }
    Recipe recipe = Recipes.parse(head + "outputs:\n" + outs, dir.resolve("recipe.yaml"));
    String dataset = recipe.dataset();
    Manifest m = Manifest.of(recipe, "recipes/" + dataset + "/recipe.yaml",
        new CodeVersion("0123456789abcdef0123456789abcdef01234567", false, repositoryUrl),
        new Manifest.Environment(Map.of(), Map.of("d4c", "0.1.0-test", "java", "17")), parameters, outputs, Manifest.Rejects.NONE);
    Manifests.write(dir, m);
    return m;
  }

  /**
   * A small real plain Parquet table, what a {@code geometry: none} output writes: no geometry column and no
   * {@code geo} metadata; one row per geography (dguid, count).
   */
  public static void writeTable(Path file, int rows) throws IOException {
    MessageType schema = Types.buildMessage()
        .addField(Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("dguid"))
        .addField(Types.optional(PrimitiveTypeName.INT64).named("count_total"))
        .named("schema");
    WriteSupport<Integer> support = support(schema, Map.of(), (out, i) -> {
      out.startMessage();
      out.startField("dguid", 0);
      out.addBinary(Binary.fromString(String.format(java.util.Locale.ROOT, "2021A00%04d", i)));
      out.endField("dguid", 0);
      out.startField("count_total", 1);
      out.addLong(1000L * (i + 1));
      out.endField("count_total", 1);
      out.endMessage();
    });
    try (ParquetWriter<Integer> w = ParquetWriters.builder(new LocalOutputFile(file), support, 3).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
      for (int i = 0; i < rows; i++) w.write(i);
    }
  }

  /** A small real GeoParquet 1.1 file: one box polygon per entry (WKB, bbox covering, geo metadata). */
  public static void writeGeoParquet(Path file, List<double[]> boxes) throws IOException {
    MessageType schema = Types.buildMessage()
        .addField(Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("name"))
        .addField(Types.required(PrimitiveTypeName.BINARY).named("geometry"))
        .addField(Types.requiredGroup().required(PrimitiveTypeName.DOUBLE).named("xmin").required(PrimitiveTypeName.DOUBLE).named("ymin")
            .required(PrimitiveTypeName.DOUBLE).named("xmax").required(PrimitiveTypeName.DOUBLE).named("ymax").named("bbox"))
        .named("schema");
    Envelope all = new Envelope();
    boxes.forEach(b -> all.expandToInclude(new Envelope(b[0], b[2], b[1], b[3])));
    String geo = "{\"version\":\"1.1.0\",\"primary_column\":\"geometry\",\"columns\":{\"geometry\":{\"encoding\":\"WKB\","
        + "\"geometry_types\":[\"Polygon\"],\"bbox\":[" + all.getMinX() + "," + all.getMinY() + "," + all.getMaxX() + ","
        + all.getMaxY() + "],\"covering\":{\"bbox\":{\"xmin\":[\"bbox\",\"xmin\"],\"ymin\":[\"bbox\",\"ymin\"],"
        + "\"xmax\":[\"bbox\",\"xmax\"],\"ymax\":[\"bbox\",\"ymax\"]}}}}}";
    int[] n = {0};
    WriteSupport<double[]> support = support(schema, Map.of("geo", geo), (out, b) -> {
      Geometry g = FACTORY.toGeometry(new Envelope(b[0], b[2], b[1], b[3]));
      out.startMessage();
      out.startField("name", 0);
      out.addBinary(Binary.fromString("box " + n[0]++));
      out.endField("name", 0);
      out.startField("geometry", 1);
      out.addBinary(Binary.fromConstantByteArray(new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN).write(g)));
      out.endField("geometry", 1);
      out.startField("bbox", 2);
      out.startGroup();
      String[] f = {"xmin", "ymin", "xmax", "ymax"};
      double[] v = {b[0], b[1], b[2], b[3]};
      for (int i = 0; i < 4; i++) {
        out.startField(f[i], i);
        out.addDouble(v[i]);
        out.endField(f[i], i);
      }
      out.endGroup();
      out.endField("bbox", 2);
      out.endMessage();
    });
    try (ParquetWriter<double[]> w = ParquetWriters.builder(new LocalOutputFile(file), support, 3).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
      for (double[] b : boxes) w.write(b);
    }
  }

  /** A write support of a fixed schema and footer metadata; {@code write} writes one record. */
  private static <T> WriteSupport<T> support(MessageType schema, Map<String, String> footer,
      java.util.function.BiConsumer<RecordConsumer, T> write) {
    return new WriteSupport<>() {
      RecordConsumer out;

      @Override
      public WriteContext init(Configuration c) {
        return init((ParquetConfiguration) null);
      }

      @Override
      public WriteContext init(ParquetConfiguration c) {
        return new WriteContext(schema, new HashMap<>());
      }

      @Override
      public void prepareForWrite(RecordConsumer r) {
        out = r;
      }

      @Override
      public void write(T record) {
        write.accept(out, record);
      }

      @Override
      public FinalizedWriteContext finalizeWrite() {
        return new FinalizedWriteContext(footer);
      }
    };
  }

  /** Every file under a folder (relative path -> bytes), to prove a failed command changed nothing. */
  public static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    if (!Files.exists(dir)) return out;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
        if (p.getFileName().toString().equals(LOCK_FILE)) continue;
        out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  public static boolean sameFiles(Map<String, byte[]> a, Map<String, byte[]> b) {
    if (!a.keySet().equals(b.keySet())) return false;
    for (String k : a.keySet()) if (!Arrays.equals(a.get(k), b.get(k))) return false;
    return true;
  }

  public static List<String> differences(Map<String, byte[]> a, Map<String, byte[]> b) {
    List<String> out = new ArrayList<>();
    for (String k : new java.util.TreeSet<>(a.keySet())) if (!b.containsKey(k) || !Arrays.equals(a.get(k), b.get(k))) out.add(k);
    for (String k : b.keySet()) if (!a.containsKey(k)) out.add(k);
    return out;
  }
}
