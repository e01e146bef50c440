package org.d4c.pipelines.build;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.recipe.Output;
import org.d4c.manifests.recipe.Recipe;
import org.d4c.manifests.recipe.RecipeException;
import org.d4c.manifests.recipe.Source;
import org.d4c.manifests.recipe.Step;
import org.d4c.manifests.recipe.TableOptions;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.geometry.GeometrySteps;
import org.d4c.transforms.geometry.NormalizeGeometry;
import org.d4c.transforms.geometry.RepairGeometry;
import org.d4c.transforms.geometry.Reproject;
import org.d4c.transforms.geoparquet.GeoParquetOptions;
import org.d4c.transforms.join.Join;
import org.d4c.transforms.read.OgrLayerInfo;
import org.d4c.transforms.read.OgrLayers;
import org.d4c.transforms.read.OgrSource;
import org.d4c.transforms.read.ReadOgr;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.sort.ComputeExtent;
import org.d4c.transforms.sort.GroupInRuns;
import org.d4c.transforms.sort.HilbertKey;
import org.d4c.transforms.sort.SortByHilbert;
import org.d4c.transforms.sort.SortByKey;
import org.d4c.transforms.steps.Distinct;
import org.d4c.transforms.steps.Pivot;
import org.d4c.transforms.steps.StepOutputs;
import org.d4c.transforms.steps.TableSteps;
import org.d4c.transforms.table.Column;
import org.d4c.transforms.table.CsvTable;
import org.d4c.transforms.table.CsvTables;
import org.d4c.transforms.table.MergeIntoOutput;
import org.d4c.transforms.table.ReadCsv;
import org.d4c.transforms.table.TableSchema;
import org.d4c.transforms.table.TableShape;
import org.d4c.transforms.table.Values;
import org.d4c.transforms.table.WriteTable;

/**
 * The part of the build for outputs with steps, tables ({@code geometry: none}) and CSV sources: reads each source
 * once, runs every output's steps in recipe order (an output may read other outputs), then settles the columns,
 * orders the rows by key (tables) or along the Hilbert curve (spatial outputs) and writes them.
 *
 * <p>Everything that can be checked without data is checked while the graph is built, before the pipeline runs: a
 * step naming a missing field is a {@link RecipeException} with the field path.
 */
final class StepPipeline {
  /**
   * Rows and their columns at some point of the graph; or, when an output's last key step hands its rows straight
   * to the output's sort ({@link MergeIntoOutput}), no rows yet but that step's runs ({@code pending}).
   */
  record Table(TableSchema schema, PCollection<Feature> rows, Pending pending) {
    Table(TableSchema schema, PCollection<Feature> rows) {
      this(schema, rows, null);
    }
  }

  /** A key step's runs not merged yet, and the step metrics that count the rows its merge makes. */
  record Pending(GroupInRuns grouping, PCollection<KV<Integer, String>> runs, String label, List<String> counters) {}

  private final Recipe recipe;
  private final List<Path> fetched;
  private final Path work;
  private final long featuresPerSplit;
  private final Map<String, Table> sources = new HashMap<>();
  private final Map<String, Table> outputs = new HashMap<>();
  private final List<PCollection<Reject>> rejects = new ArrayList<>();
  private long expected;
  private Pipeline pipeline;
  private String runFolder;
  private int sortMemoryMb;

  StepPipeline(Recipe recipe, List<Path> fetched, Path work, long featuresPerSplit) {
    this.recipe = recipe;
    this.fetched = fetched;
    this.work = work;
    this.featuresPerSplit = featuresPerSplit;
  }

  /** True when an output goes through this part of the build rather than the plain copy of one layer. */
  static boolean handles(Recipe recipe, Output o) {
    Source s = recipe.source(o.source()).orElse(null);
    return !o.isPlainCopy() || s == null || s.table() != null || s.isGlob()
        || (CsvMembers.isCsv(s) && s.path() != null);
  }

  long expected() {
    return expected;
  }

  List<PCollection<Reject>> rejects() {
    return rejects;
  }

  /** Adds every handled output to the pipeline. */
  void compose(Pipeline p, Path staging, Path runs, int sortMemoryMb, GeoParquetOptions parquet) throws IOException {
    this.pipeline = p;
    this.runFolder = runs.toString();
    this.sortMemoryMb = sortMemoryMb;
    for (Output o : recipe.outputs()) {
      if (!handles(recipe, o)) continue;
      Table t = output(o.name(), new ArrayList<>());
      write(o, t, staging, runs, sortMemoryMb, parquet);
    }
  }

  private int outputIndex(String name) {
    for (int i = 0; i < recipe.outputs().size(); i++) {
      if (recipe.outputs().get(i).name().equals(name)) return i;
    }
    return -1;
  }

  /** The rows of an output after its steps (built once, also when other outputs read it). */
  private Table output(String name, List<String> path) throws IOException {
    Table done = outputs.get(name);
    if (done != null) return done;
    int oi = outputIndex(name);
    Output o = recipe.outputs().get(oi);
    String at = "outputs[" + oi + "]";
    Table t = null;
    int first = 0;
    int fuse = mergesIntoWrite(o);
    if (recipe.source(o.source()).isPresent() && readsAlone(o) && !o.steps().isEmpty()) {
      t = readIntoFirstStep(o, at, fuse == 0); // null unless the first step groups by key and rows have no geometry
      if (t != null) first = 1;
    }
    if (t == null && recipe.source(o.source()).isPresent() && !o.select().isEmpty() && readsAlone(o)) {
      t = readSource(o.source(), o, at); // the CSV reader keeps only the selected columns
    } else if (t == null) {
      t = select(o, recipe.source(o.source()).isPresent() ? source(o.source()) : output(o.source(), path), at);
    }
    for (int j = first; j < o.steps().size(); j++) {
      t = step(o, j, t, at + ".steps[" + j + "]", j == fuse);
    }
    outputs.put(name, t);
    return t;
  }

  private Table select(Output o, Table t, String at) {
    if (o.select().isEmpty() && o.rename().isEmpty()) return t;
    Selection sel = selection(o, t.schema(), at);
    PCollection<Feature> rows = t.rows().apply("Select fields of " + o.name(), MapElements.via(new Pick(sel.columns())))
        .setCoder(FeatureCoder.of());
    return new Table(sel.schema(), rows);
  }

  /** The columns an output's {@code select} keeps (indices into {@code schema}), and the schema after its renames. */
  private record Selection(int[] columns, TableSchema schema) {}

  private Selection selection(Output o, TableSchema in, String at) {
    List<String> names = o.select().isEmpty() ? in.names() : o.select();
    int[] idx;
    try {
      idx = in.require(names);
      for (String r : o.rename().keySet()) {
        if (!names.contains(r)) in.require(r);
      }
    } catch (IllegalArgumentException e) {
      throw new RecipeException(recipe.file(), List.of(at + ".select: output '" + o.name() + "': " + e.getMessage()));
    }
    List<Column> cols = new ArrayList<>();
    for (int i : idx) {
      Column c = in.column(i);
      cols.add(c.renamed(o.rename().getOrDefault(c.name(), c.name())));
    }
    return new Selection(idx, in.withColumns(cols));
  }

  /**
   * True when the output's CSV source is read by this output alone (no other output, no step refers to it) and its
   * select names each column once: then the reader itself drops the other columns, so rows are smaller from the
   * start. A source read by several consumers is read once, whole.
   */
  private boolean readsAlone(Output o) {
    Source s = recipe.source(o.source()).orElseThrow();
    if (!CsvMembers.isCsv(s) || sources.containsKey(s.id())) return false;
    if (new java.util.HashSet<>(o.select()).size() != o.select().size()) return false;
    int uses = 0;
    for (Output other : recipe.outputs()) {
      if (other.source().equals(s.id())) uses++;
      for (Step st : other.steps()) {
        if (s.id().equals(st.spec().path("source").asText(null))) uses++;
      }
    }
    return uses == 1;
  }

  /**
   * The index of the output's step whose merge goes straight into the write ({@link MergeIntoOutput}), or -1: its
   * last step that changes rows, when that is a pivot or distinct, for a table no other output or step reads.
   */
  private int mergesIntoWrite(Output o) {
    if (!o.isTable()) return -1;
    for (Output other : recipe.outputs()) {
      if (other.source().equals(o.name())) return -1;
      for (Step st : other.steps()) {
        if (o.name().equals(st.spec().path("source").asText(null))) return -1;
      }
    }
    for (int j = o.steps().size() - 1; j >= 0; j--) {
      String type = o.steps().get(j).type();
      if (type.equals("pivot") || type.equals("distinct")) return j;
      if (!settles(type)) return -1;
    }
    return -1;
  }

  /** A step that only settles the written columns: it passes every row on. */
  private static boolean settles(String type) {
    return type.equals("narrow_types") || type.equals("drop_empty_columns");
  }

  /** The rows a key step's merge makes pass its own {@code out} counter and the {@code in} of every step after it. */
  private static Pending pending(Output o, int j, GroupInRuns grouping, PCollection<KV<Integer, String>> runs) {
    List<String> counters = new ArrayList<>(List.of(label(o, j) + " out"));
    for (int k = j + 1; k < o.steps().size(); k++) {
      counters.add(label(o, k) + " in");
    }
    return new Pending(grouping, runs, label(o, j), counters);
  }

  /** The Beam metric names of a step: {@code LABEL in}, {@code LABEL out}, {@code LABEL rejected}. */
  static String label(Output o, int j) {
    return o.name() + " step " + (j + 1) + " (" + o.steps().get(j).type() + ")";
  }

  /**
   * The rows into and out of each step of every output with steps, from the pipeline's counters, in recipe order.
   * A step that only settles the written columns (narrow_types, drop_empty_columns) passes every row on.
   */
  static Map<String, List<Manifest.StepCount>> stepCounts(Recipe recipe, MetricResults metrics) {
    Map<String, Long> counters = new HashMap<>();
    for (MetricResult<Long> c : metrics.queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.inNamespace(StepOutputs.METRICS_NAMESPACE)).build()).getCounters()) {
      // Attempted: the Flink runner has no committed metrics; no step is retried on the local runners.
      counters.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    Map<String, List<Manifest.StepCount>> out = new LinkedHashMap<>();
    for (Output o : recipe.outputs()) {
      if (o.steps().isEmpty()) continue;
      List<Manifest.StepCount> steps = new ArrayList<>();
      for (int j = 0; j < o.steps().size(); j++) {
        String label = label(o, j);
        String type = o.steps().get(j).type();
        long in = counters.getOrDefault(label + " in", 0L);
        steps.add(new Manifest.StepCount("steps[" + j + "]." + type, in,
            settles(type) ? in : counters.getOrDefault(label + " out", 0L), counters.getOrDefault(label + " rejected", 0L)));
      }
      out.put(o.name(), steps);
    }
    return out;
  }

  /** Adds one step; with {@code intoWrite}, a pivot or distinct on rows without geometry leaves its runs pending. */
  private Table step(Output o, int j, Table in, String at, boolean intoWrite) throws IOException {
    Step st = o.steps().get(j);
    JsonNode s = st.spec();
    String label = label(o, j);
    String where = at + "." + st.type();
    if (in.pending() != null) {
      return in; // a settling step after a merge that goes into the write: its rows are counted there
    }
    PCollection<Feature> rows = StepOutputs.count(in.rows(), label + " in");
    PCollectionTuple out;
    TableSchema schema;
    try {
      switch (st.type()) {
        case "join", "semi_join", "anti_join" -> {
          String ref = s.path("source").asText();
          Table right = refTable(ref, where + ".source");
          Map<String, String> on = new LinkedHashMap<>();
          s.path("on").fields().forEachRemaining(e -> on.put(e.getKey(), e.getValue().asText()));
          Join join = st.type().equals("join")
              ? Join.join(label, in.schema(), right.rows(), ref, right.schema(), on, "inner".equals(s.path("how").asText()),
                  strings(s.path("select")), s.path("prefix").asText(""),
                  Join.Duplicates.valueOf(s.path("duplicates").asText("error").toUpperCase(java.util.Locale.ROOT)))
              : Join.semi(label, in.schema(), right.rows(), ref, right.schema(), on, st.type().equals("anti_join"));
          schema = join.outputSchema();
          out = rows.apply(label, join.withRunsIn(runFolder, sortMemoryMb));
        }
        case "distinct", "pivot" -> {
          GroupInRuns grouping;
          PTransform<PCollection<Feature>, PCollectionTuple> transform;
          if (st.type().equals("pivot")) {
            Pivot pv = pivot(label, s, in.schema());
            schema = pv.outputSchema();
            grouping = pv.grouping();
            transform = pv;
          } else {
            schema = in.schema();
            Distinct d = distinct(label, s, in.schema());
            grouping = d.grouping();
            transform = d;
          }
          if (intoWrite && !in.schema().hasGeometry()) {
            PCollectionTuple written = rows.apply(label, PTransform.compose(
                (PCollection<Feature> r) -> grouping.writeRuns(PCollectionList.of(r))));
            rejects.add(StepOutputs.countRejects(written.get(StepOutputs.REJECTS), label + " rejected"));
            return new Table(schema, null, pending(o, j, grouping, written.get(GroupInRuns.RUNS)));
          }
          out = rows.apply(label, transform);
        }
        case "narrow_types", "drop_empty_columns" -> {
          return new Table(in.schema(), rows); // settled when the file is written, over the final columns
        }
        default -> {
          TableSteps.Planned planned = TableSteps.plan(label, st.type(), s, in.schema(), recipe.crs(),
              ref -> {
                try {
                  Table r = refTable(ref, where + ".source");
                  return new TableSteps.Side(r.schema(), r.rows());
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
          schema = planned.schema();
          out = rows.apply(label, planned.transform() instanceof org.d4c.transforms.steps.Dissolve d
              ? d.withRunsIn(runFolder, sortMemoryMb) : planned.transform());
        }
      }
    } catch (IllegalArgumentException e) {
      throw new RecipeException(recipe.file(), List.of(where + ": output '" + o.name() + "': " + e.getMessage()));
    }
    rejects.add(StepOutputs.countRejects(out.get(StepOutputs.REJECTS), label + " rejected"));
    return new Table(schema, StepOutputs.count(out.get(StepOutputs.ROWS), label + " out"));
  }

  private Distinct distinct(String label, JsonNode s, TableSchema in) {
    return Distinct.of(in, strings(s.path("key")), "last".equals(s.path("keep").asText()))
        .withRunsIn(label, runFolder, sortMemoryMb);
  }

  private Pivot pivot(String label, JsonNode s, TableSchema in) {
    return Pivot.of(label, in, strings(s.path("key")), s.path("columns").asText(),
        strings(s.path("values")), s.hasNonNull("name") ? s.get("name").asText() : null,
        Pivot.Duplicates.valueOf(s.path("duplicates").asText("error").toUpperCase(java.util.Locale.ROOT)))
        .withRunsIn(runFolder, sortMemoryMb);
  }

  /**
   * An output whose CSV source only it reads and whose first step groups by key (pivot, distinct): the reader writes
   * the rows straight into the step's sorted runs, so no runner ever holds the source's rows (the Direct runner held a
   * whole split's rows between steps) and no per-row step runs between reading and grouping. Same rows, same bytes.
   * Null when that does not apply.
   */
  private Table readIntoFirstStep(Output o, String at, boolean intoWrite) throws IOException {
    Source src = recipe.source(o.source()).orElseThrow();
    Step st = o.steps().get(0);
    if (!CsvMembers.isCsv(src) || !(st.type().equals("pivot") || st.type().equals("distinct"))) return null;
    CsvRead read = csvRead(o.source(), o, at);
    if (read.schema().hasGeometry()) return null; // points are reprojected and checked first
    String label = label(o, 0);
    String where = at + ".steps[0]." + st.type();
    GroupInRuns grouping;
    TableSchema schema;
    try {
      if (st.type().equals("pivot")) {
        Pivot pv = pivot(label, st.spec(), read.schema());
        grouping = pv.grouping();
        schema = pv.outputSchema();
      } else {
        grouping = distinct(label, st.spec(), read.schema()).grouping();
        schema = read.schema();
      }
    } catch (IllegalArgumentException e) {
      throw new RecipeException(recipe.file(), List.of(where + ": output '" + o.name() + "': " + e.getMessage()));
    }
    expected += read.records();
    PCollectionTuple rows = pipeline.apply("Read " + o.source() + " into " + label,
        read.reader().intoRuns(grouping.writer(0), label));
    rejects.add(rows.get(ReadCsv.REJECTS));
    if (intoWrite) {
      return new Table(schema, null, pending(o, 0, grouping, rows.get(GroupInRuns.RUNS)));
    }
    PCollectionTuple out = PCollectionList.of(rows.get(GroupInRuns.RUNS)).apply(label, PTransform.compose(
        (PCollectionList<KV<Integer, String>> runs) -> grouping.mergeRuns(runs)));
    rejects.add(StepOutputs.countRejects(out.get(StepOutputs.REJECTS), label + " rejected"));
    return new Table(schema, StepOutputs.count(out.get(StepOutputs.ROWS), label + " out"));
  }

  private Table refTable(String ref, String where) throws IOException {
    if (recipe.source(ref).isPresent()) return source(ref);
    if (outputIndex(ref) >= 0) return output(ref, new ArrayList<>());
    throw new RecipeException(recipe.file(), List.of(where + ": unknown source or output \"" + ref + "\""));
  }

  private static List<String> strings(JsonNode a) {
    List<String> l = new ArrayList<>();
    a.forEach(x -> l.add(x.asText()));
    return l;
  }

  /** A source's rows as read, geometries (if any) in the output CRS and valid; read once per build. */
  private Table source(String id) throws IOException {
    Table done = sources.get(id);
    if (done != null) return done;
    Table t = readSource(id, null, null);
    sources.put(id, t);
    return t;
  }

  /** Reads a source; for a CSV source with {@code projectFor} set, only that output's selected columns, renamed. */
  private Table readSource(String id, Output projectFor, String at) throws IOException {
    int index = -1;
    for (int i = 0; i < recipe.sources().size(); i++) {
      if (recipe.sources().get(i).id().equals(id)) index = i;
    }
    Source s = recipe.sources().get(index);
    Path cached = fetched.get(index);
    TableSchema schema;
    PCollection<Feature> rows;
    String srs;
    if (CsvMembers.isCsv(s)) {
      CsvRead csv = csvRead(id, projectFor, at);
      expected += csv.records();
      schema = csv.schema();
      PCollectionTuple read = pipeline.apply("Read " + id, csv.reader());
      rejects.add(read.get(ReadCsv.REJECTS));
      rows = read.get(ReadCsv.ROWS);
      srs = csv.crs();
    } else {
      String datasetName = SourceFiles.datasetName(s, cached, work.resolve("s-" + id));
      OgrLayerInfo info = OgrLayers.describe(
          new OgrSource(index, s.id(), datasetName, s.layer(), s.where(), s.openOptions()), featuresPerSplit);
      expected += info.featureCount();
      PCollectionTuple read = pipeline.apply("Read " + id, ReadOgr.from(info));
      rejects.add(read.get(ReadOgr.REJECTS));
      schema = TableSchema.of(info.schema(), !"None".equals(info.geometryType()));
      rows = read.get(ReadOgr.FEATURES);
      srs = info.srsWkt();
    }
    if (schema.hasGeometry()) {
      if (srs != null && Reproject.needed(srs, recipe.crs())) {
        PCollectionTuple r = rows.apply("Reproject " + id, Reproject.from(srs, recipe.crs()));
        rejects.add(r.get(GeometrySteps.REJECTS));
        rows = r.get(GeometrySteps.FEATURES);
      }
      PCollectionTuple repaired = rows.apply("Repair " + id, RepairGeometry.create());
      rejects.add(repaired.get(GeometrySteps.REJECTS));
      rows = repaired.get(GeometrySteps.FEATURES);
    }
    return new Table(schema, rows);
  }

  /** A planned CSV read: the reader, its rows' columns, how many records the source has, its CRS. */
  private record CsvRead(ReadCsv reader, TableSchema schema, long records, String crs) {}

  /** Plans reading a CSV source; with {@code projectFor} set, only that output's selected columns, renamed. */
  private CsvRead csvRead(String id, Output projectFor, String at) throws IOException {
    int index = -1;
    for (int i = 0; i < recipe.sources().size(); i++) {
      if (recipe.sources().get(i).id().equals(id)) index = i;
    }
    Source s = recipe.sources().get(index);
    TableOptions o = s.tableOrDefaults();
    CsvTable table;
    try {
      table = CsvTables.plan(index, id, CsvMembers.of(s, fetched.get(index), work), o.encodingOrDefault(),
          o.delimiterOrDefault(), o.nullValues(), o.types(), o.x(), o.y(), o.crsOrDefault(),
          Math.max(1, featuresPerSplit * 200));
    } catch (CsvTables.CsvException e) {
      throw new BuildException(BuildDataset.recipeName(recipe) + ": " + e.getMessage(), e);
    }
    ReadCsv reader = ReadCsv.from(table);
    TableSchema schema = table.schema();
    if (projectFor != null) {
      Selection sel = selection(projectFor, schema, at);
      reader = reader.keeping(sel.columns());
      schema = sel.schema();
    }
    return new CsvRead(reader, schema, table.records(), table.crs());
  }

  /** Settles the columns, orders the rows and writes one output. */
  private void write(Output o, Table t, Path staging, Path runs, int sortMemoryMb, GeoParquetOptions parquet) {
    String name = o.name();
    String at = "outputs[" + outputIndex(name) + "]";
    boolean narrow = o.steps().stream().anyMatch(s -> s.type().equals("narrow_types"));
    boolean dropEmpty = o.steps().stream().anyMatch(s -> s.type().equals("drop_empty_columns"));
    TableSchema schema = t.schema();
    PCollection<Feature> rows = t.rows();
    if (t.pending() != null) {
      // A table whose last key step merges straight into the sort (no geometry, see mergesIntoWrite).
      SerializableFunction<Feature, byte[]> key = orderKey(o, schema, at);
      Pending p = t.pending();
      PCollectionTuple merged = p.runs().apply(p.label() + " into " + name, MergeIntoOutput.of(p.grouping(), name, key,
          runs.toString(), sortMemoryMb, schema, p.counters()).onThreads(mergeThreads()));
      rejects.add(StepOutputs.countRejects(merged.get(StepOutputs.REJECTS), p.label() + " rejected"));
      PCollectionView<TableShape> shape = WriteTable.shapeFrom(merged.get(MergeIntoOutput.STATS), schema, narrow,
          dropEmpty);
      merged.get(MergeIntoOutput.SORTED_RUNS).apply("Gather runs of " + name, GroupByKey.create())
          .apply("Write " + name, WriteTable.to(staging.toString(), shape, parquet, recipe.maxRowsPerFile()));
      return;
    }
    if (o.isTable() && schema.hasGeometry()) {
      rows = rows.apply("Drop geometry of " + name, MapElements.via(new DropGeometry())).setCoder(FeatureCoder.of());
      schema = schema.withGeometry(false);
    } else if (schema.hasGeometry()) {
      rows = rows.apply("Normalize " + name, NormalizeGeometry.of(recipe.promoteToMulti()));
    } else if (!o.isTable()) {
      throw new RecipeException(recipe.file(), List.of(at + ": output '" + name + "' has no geometry (its source or"
          + " a pivot has none): add geometry: none to write it as a table"));
    }
    SerializableFunction<Feature, byte[]> key;
    if (!o.orderBy().isEmpty() || !schema.hasGeometry()) {
      key = orderKey(o, schema, at);
    } else {
      HilbertKey hk = HilbertKey.within(rows.apply("Extent of " + name, ComputeExtent.create()));
      rows = rows.apply("Sort key of " + name, hk);
      key = SortByHilbert::sortKey;
    }
    PCollectionView<TableShape> shape = WriteTable.shapeOf(rows, schema, narrow, dropEmpty);
    rows.apply("Sort " + name, SortByKey.of(name, key, sortMemoryMb, runs.toString()))
        .apply("Write " + name, WriteTable.to(staging.toString(), shape, parquet, recipe.maxRowsPerFile()));
  }

  /**
   * The order of a table's rows, or of a spatial output with {@code order_by}: the declared columns, else the first
   * key column of the last key step; a table with neither keeps data order (source, then member and position).
   */
  private SerializableFunction<Feature, byte[]> orderKey(Output o, TableSchema schema, String at) {
    List<String> orderBy = o.orderBy();
    if (orderBy.isEmpty() && !schema.hasGeometry()) {
      orderBy = defaultOrder(o, schema);
    }
    int[] idx;
    try {
      idx = schema.require(orderBy);
    } catch (IllegalArgumentException e) {
      throw new RecipeException(recipe.file(), List.of(at + ".order_by: output '" + o.name() + "': " + e.getMessage()));
    }
    return f -> Values.orderKey(f, idx);
  }

  /**
   * Threads a merge may use of its own: on the Direct runner, the cores its workers leave (it runs one worker on two
   * cores, see RunnerOptions); elsewhere 1, the runner spreads the buckets.
   */
  private int mergeThreads() {
    if (!pipeline.getOptions().getRunner().getSimpleName().equals("DirectRunner")) return 1;
    int workers = pipeline.getOptions().as(org.apache.beam.runners.direct.DirectOptions.class).getTargetParallelism();
    return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, workers));
  }

  /** Keeps some values, in a new order. */
  static final class Pick extends SimpleFunction<Feature, Feature> {
    private static final long serialVersionUID = 1L;
    private final int[] idx;

    Pick(int[] idx) {
      this.idx = idx;
    }

    @Override
    public Feature apply(Feature f) {
      Object[] v = new Object[idx.length];
      for (int i = 0; i < idx.length; i++) v[i] = f.value(idx[i]);
      return f.withValues(v);
    }
  }

  /** A table output keeps no geometry. */
  static final class DropGeometry extends SimpleFunction<Feature, Feature> {
    private static final long serialVersionUID = 1L;

    @Override
    public Feature apply(Feature f) {
      return f.withGeometry(null);
    }
  }

  /** The first key column of the last step that groups by key, when it is still a column; else data order. */
  private static List<String> defaultOrder(Output o, TableSchema schema) {
    for (int j = o.steps().size() - 1; j >= 0; j--) {
      Step st = o.steps().get(j);
      String first = switch (st.type()) {
        case "pivot", "distinct" -> st.spec().path("key").path(0).asText(null);
        case "dissolve" -> st.spec().path("by").path(0).asText(null);
        case "join", "semi_join", "anti_join" -> st.spec().path("on").fieldNames().hasNext()
            ? st.spec().path("on").fieldNames().next() : null;
        default -> null;
      };
      if (first != null && schema.indexOf(first) >= 0) return List.of(first);
    }
    return List.of();
  }
}
