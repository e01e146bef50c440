package org.d4c.transforms.steps;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.sort.GroupInRuns;
import org.d4c.transforms.table.Column;
import org.d4c.transforms.table.PivotCells;
import org.d4c.transforms.table.TableSchema;
import org.d4c.transforms.table.Values;

/**
 * Long to wide: one row per key, one cell per (column value, value field), named by a pattern such as
 * {@code {value}_{column}}. The set of columns comes from the data and is settled when the table is written
 * (numeric order when every column value is a number), so the step scales to thousands of columns.
 *
 * <p>With {@link #withRunsIn} (what the build uses) rows go through sorted run files ({@link GroupInRuns}) and each key's
 * rows are folded into its wide row one key at a time, so memory does not grow with the rows. Without it, each worker
 * first folds the rows it holds into partial wide rows (bounded: flushed every {@value #FLUSH_KEYS} keys) for the
 * runner's group-by-key, which holds a key's partials in memory.
 * Two rows giving the same cell with the same value are one cell (the national row repeated in every file); with
 * different values the key's row is rejected ({@code duplicates: error}, the default) or the first or last row in
 * data order wins.
 */
public final class Pivot extends PTransform<PCollection<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  static final int FLUSH_KEYS = 2_000;
  /** The name of the block column in the step's output schema; never written. */
  public static final String BLOCK = "{pivot}";

  public enum Duplicates { ERROR, FIRST, LAST }

  private final String label;
  private final int[] key;
  private final int column;
  private final int[] values;
  private final Duplicates duplicates;
  private final TableSchema output;
  private final String runFolder;
  private final int memoryMb;

  private Pivot(String label, int[] key, int column, int[] values, Duplicates duplicates, TableSchema output,
      String runFolder, int memoryMb) {
    this.label = label;
    this.key = key;
    this.column = column;
    this.values = values;
    this.duplicates = duplicates;
    this.output = output;
    this.runFolder = runFolder;
    this.memoryMb = memoryMb;
  }

  /**
   * Groups the rows through sorted run files in {@code folder} ({@link GroupInRuns}) instead of the runner's
   * group-by-key: memory then does not grow with the number of rows or keys. Same output.
   */
  public Pivot withRunsIn(String folder, int memoryMb) {
    return new Pivot(label, key, column, values, duplicates, output, folder, memoryMb);
  }

  /**
   * @param pattern the name of each new column, with {@code {column}} and {@code {value}} (default
   *     {@code {value}_{column}}, or {@code {column}} for one value field)
   * @throws IllegalArgumentException naming a field the rows do not have
   */
  public static Pivot of(String label, TableSchema in, List<String> key, String column, List<String> values,
      String pattern, Duplicates duplicates) {
    int[] k = in.require(key);
    int c = in.require(column);
    int[] v = in.require(values);
    String p = pattern != null ? pattern : values.size() == 1 ? "{column}" : "{value}_{column}";
    if (values.size() > 1 && !p.contains("{value}")) {
      throw new IllegalArgumentException("the name pattern \"" + p + "\" needs {value}: there are " + values.size()
          + " value fields");
    }
    List<Column> cols = new ArrayList<>();
    for (int i : k) {
      cols.add(in.column(i));
    }
    cols.add(Column.pivot(BLOCK, values, p));
    return new Pivot(label, k, c, v, duplicates, new TableSchema(cols, false), null, 0);
  }

  public TableSchema outputSchema() {
    return output;
  }

  @Override
  public PCollectionTuple expand(PCollection<Feature> input) {
    return runFolder == null ? expandGrouping(input) : expandInRuns(input);
  }

  private PCollectionTuple expandInRuns(PCollection<Feature> input) {
    return org.apache.beam.sdk.values.PCollectionList.of(input).apply("Group rows by key", grouping());
  }

  /**
   * The grouping this step runs when it works in run files ({@link #withRunsIn}): rows with a null key or column
   * value are rejected as they are written to the runs; each key's rows are folded into its wide row.
   */
  public GroupInRuns grouping() {
    if (runFolder == null) throw new IllegalStateException("the pivot works in run files only with withRunsIn");
    int[] k = key;
    int c = column;
    int[] v = values;
    String lbl = label;
    Duplicates mode = duplicates;
    return GroupInRuns.of(label, List.of(f -> Values.key(f, k).getBytes(UTF_8)),
        (group, rows, emit) -> {
          Partial p = new Partial();
          Collected cells = new Collected();
          while (rows.hasNext()) {
            Feature f = rows.next().row();
            if (p.keyValues == null) {
              Object[] kv = new Object[k.length];
              for (int i = 0; i < k.length; i++) {
                kv[i] = f.value(k[i]);
              }
              p.keyValues = kv;
            }
            p.see(f.source(), f.fid());
            String col = Values.canonical(f.value(c));
            for (int i = 0; i < v.length; i++) {
              Object value = f.value(v[i]);
              if (value != null) {
                cells.add(new CellKey(col, i), new Cell(value, f.source(), f.fid()));
              }
            }
          }
          cells.fold(p, mode, lbl, new String(group, UTF_8), k.length, emit);
        }, runFolder, memoryMb)
        .checking(f -> {
          if (Values.key(f, k) == null) return StepOutputs.reject(lbl, f, "pivot_null_key", "a key field is null");
          if (Values.canonical(f.value(c)) == null) {
            return StepOutputs.reject(lbl, f, "pivot_null_key", "the column field is null");
          }
          return null;
        });
  }

  private PCollectionTuple expandGrouping(PCollection<Feature> input) {
    PCollectionTuple partial = input.apply("Fold rows per worker",
        ParDo.of(new FoldFn(label, key, column, values, duplicates)).withOutputTags(PARTIAL, TupleTagList.of(StepOutputs.REJECTS)));
    partial.get(StepOutputs.REJECTS).setCoder(org.d4c.transforms.rejects.RejectCoder.of());
    PCollectionTuple merged = partial.get(PARTIAL)
        .setCoder(KvCoder.of(StringUtf8Coder.of(), PartialCoder.INSTANCE))
        .apply("Gather partial rows", GroupByKey.create())
        .apply("Merge into one row per key", ParDo.of(new MergeFn(label, key.length, duplicates))
            .withOutputTags(StepOutputs.ROWS, TupleTagList.of(StepOutputs.REJECTS)));
    StepOutputs.coded(merged);
    PCollection<Reject> rejects = org.apache.beam.sdk.values.PCollectionList.of(partial.get(StepOutputs.REJECTS))
        .and(merged.get(StepOutputs.REJECTS))
        .apply("Both rejects", org.apache.beam.sdk.transforms.Flatten.pCollections());
    return PCollectionTuple.of(StepOutputs.ROWS, merged.get(StepOutputs.ROWS)).and(StepOutputs.REJECTS, rejects);
  }

  static final org.apache.beam.sdk.values.TupleTag<KV<String, Partial>> PARTIAL = new org.apache.beam.sdk.values.TupleTag<>() {};

  /** A cell's identity within a row: column value, then value field. */
  record CellKey(String column, int value) implements Comparable<CellKey> {
    @Override
    public int compareTo(CellKey o) {
      int c = column.compareTo(o.column);
      return c != 0 ? c : Integer.compare(value, o.value);
    }
  }

  /** A cell's value and the row it came from (for first/last). */
  record Cell(Object value, int source, long fid) {
    int compareOrder(Cell o) {
      int c = Integer.compare(source, o.source);
      return c != 0 ? c : Long.compare(fid, o.fid);
    }
  }

  /**
   * One key's cells as its rows give them, folded at the end: sorted by cell (a stable sort, so each cell's rows stay
   * in the order they came) and put into the partial row cell by cell, which gives what putting every row's cells as
   * they come gives, without a tree search per cell (a census profile row has thousands of cells).
   */
  static final class Collected {
    private CellKey[] keys = new CellKey[64];
    private Cell[] cells = new Cell[64];
    private int n;

    void add(CellKey k, Cell c) {
      if (n == keys.length) {
        keys = java.util.Arrays.copyOf(keys, n * 2);
        cells = java.util.Arrays.copyOf(cells, n * 2);
      }
      keys[n] = k;
      cells[n] = c;
      n++;
    }

    /** Emits the key's wide row (or its reject): {@code p} has the key values and first row, no cells. */
    void fold(Partial p, Duplicates mode, String label, String key, int keyCount, GroupInRuns.Emit out) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) order[i] = i;
      java.util.Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
      String[] names = new String[n];
      int[] idx = new int[n];
      Object[] vals = new Object[n];
      int m = 0;
      for (int i = 0; i < n; ) {
        int j = i + 1;
        while (j < n && keys[order[j]].compareTo(keys[order[i]]) == 0) j++;
        Cell kept = cells[order[i]];
        if (j > i + 1) {
          Partial one = new Partial(); // this cell's rows, through the same rule as rows that come one by one
          for (int x = i; x < j; x++) one.put(keys[order[x]], cells[order[x]], mode);
          kept = one.cells.firstEntry().getValue();
          if (one.conflict != null && (p.conflict == null || one.conflict.compareTo(p.conflict) < 0)) {
            p.conflict = one.conflict;
          }
        }
        names[m] = keys[order[i]].column();
        idx[m] = keys[order[i]].value();
        vals[m] = kept.value();
        m++;
        i = j;
      }
      MergeFn.emit(label, key, keyCount, mode, p, new PivotCells(java.util.Arrays.copyOf(names, m),
          java.util.Arrays.copyOf(idx, m), java.util.Arrays.copyOf(vals, m)), out);
    }
  }

  /** Part of one wide row: key values, the first row seen, cells, and a conflict if one was found. */
  static final class Partial {
    Object[] keyValues;
    int source = Integer.MAX_VALUE;
    long fid = Long.MAX_VALUE;
    final TreeMap<CellKey, Cell> cells = new TreeMap<>();
    String conflict;

    void see(int src, long id) {
      if (src < source || (src == source && id < fid)) {
        source = src;
        fid = id;
      }
    }

    void put(CellKey k, Cell c, Duplicates mode) {
      Cell old = cells.get(k);
      if (old == null) {
        cells.put(k, c);
        return;
      }
      if (Objects.equals(Values.canonical(old.value()), Values.canonical(c.value()))) {
        // Keep the row that last would keep: partial rows merged in any order then agree with data order.
        if (mode == Duplicates.LAST ? c.compareOrder(old) > 0 : c.compareOrder(old) < 0) {
          cells.put(k, c);
        }
        return;
      }
      switch (mode) {
        case FIRST -> {
          if (c.compareOrder(old) < 0) cells.put(k, c);
        }
        case LAST -> {
          if (c.compareOrder(old) > 0) cells.put(k, c);
        }
        case ERROR -> {
          String msg = "column " + k.column() + " (value field " + k.value() + ") has two values, " + old.value()
              + " and " + c.value();
          if (conflict == null || msg.compareTo(conflict) < 0) {
            conflict = msg;
          }
          if (c.compareOrder(old) < 0) cells.put(k, c);
        }
      }
    }

    void merge(Partial o, Duplicates mode) {
      see(o.source, o.fid);
      if (keyValues == null) keyValues = o.keyValues;
      for (Map.Entry<CellKey, Cell> e : o.cells.entrySet()) {
        put(e.getKey(), e.getValue(), mode);
      }
      if (o.conflict != null && (conflict == null || o.conflict.compareTo(conflict) < 0)) {
        conflict = o.conflict;
      }
    }
  }

  static final class FoldFn extends DoFn<Feature, KV<String, Partial>> {
    private static final long serialVersionUID = 1L;
    private final String label;
    private final int[] key;
    private final int column;
    private final int[] values;
    private final Duplicates mode;
    private transient Map<String, Partial> open;

    FoldFn(String label, int[] key, int column, int[] values, Duplicates mode) {
      this.label = label;
      this.key = key;
      this.column = column;
      this.values = values;
      this.mode = mode;
    }

    @StartBundle
    public void start() {
      open = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element Feature f, MultiOutputReceiver out) {
      String k = Values.key(f, key);
      String col = Values.canonical(f.value(column));
      if (k == null || col == null) {
        out.get(StepOutputs.REJECTS).output(StepOutputs.reject(label, f, "pivot_null_key",
            k == null ? "a key field is null" : "the column field is null"));
        return;
      }
      Partial p = open.get(k);
      if (p == null) {
        if (open.size() >= FLUSH_KEYS) {
          flush(out);
        }
        p = new Partial();
        Object[] kv = new Object[key.length];
        for (int i = 0; i < key.length; i++) {
          kv[i] = f.value(key[i]);
        }
        p.keyValues = kv;
        open.put(k, p);
      }
      p.see(f.source(), f.fid());
      for (int v = 0; v < values.length; v++) {
        Object value = f.value(values[v]);
        if (value != null) {
          p.put(new CellKey(col, v), new Cell(value, f.source(), f.fid()), mode);
        }
      }
    }

    private void flush(MultiOutputReceiver out) {
      for (Map.Entry<String, Partial> e : open.entrySet()) {
        out.get(PARTIAL).output(KV.of(e.getKey(), e.getValue()));
      }
      open.clear();
    }

    @FinishBundle
    public void finish(FinishBundleContext c) {
      for (Map.Entry<String, Partial> e : open.entrySet()) {
        c.output(PARTIAL, KV.of(e.getKey(), e.getValue()), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
      open.clear();
    }
  }

  static final class MergeFn extends DoFn<KV<String, Iterable<Partial>>, Feature> {
    private static final long serialVersionUID = 1L;
    private final String label;
    private final int keyCount;
    private final Duplicates mode;

    MergeFn(String label, int keyCount, Duplicates mode) {
      this.label = label;
      this.keyCount = keyCount;
      this.mode = mode;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Partial>> group, MultiOutputReceiver out) {
      // Partials arrive in any order: sort them by first row so the merge is the same on every runner.
      List<Partial> parts = new ArrayList<>();
      group.getValue().forEach(parts::add);
      parts.sort((a, b) -> a.source != b.source ? Integer.compare(a.source, b.source) : Long.compare(a.fid, b.fid));
      Partial all = new Partial();
      for (Partial p : parts) {
        all.merge(p, mode);
      }
      emit(label, group.getKey(), keyCount, mode, all, new GroupInRuns.Emit() {
        @Override
        public void row(Feature f) {
          out.get(StepOutputs.ROWS).output(f);
        }

        @Override
        public void reject(Reject r) {
          out.get(StepOutputs.REJECTS).output(r);
        }
      });
    }

    /** The wide row of one key, or its reject when two rows gave one cell different values. */
    static void emit(String label, String key, int keyCount, Duplicates mode, Partial all, GroupInRuns.Emit out) {
      int n = all.cells.size();
      String[] keys = new String[n];
      int[] idx = new int[n];
      Object[] vals = new Object[n];
      int i = 0;
      for (Map.Entry<CellKey, Cell> e : all.cells.entrySet()) {
        keys[i] = e.getKey().column();
        idx[i] = e.getKey().value();
        vals[i] = e.getValue().value();
        i++;
      }
      emit(label, key, keyCount, mode, all, new PivotCells(keys, idx, vals), out);
    }

    /** The wide row with these cells; {@code all} gives its key values, first row and conflict. */
    static void emit(String label, String key, int keyCount, Duplicates mode, Partial all, PivotCells cells,
        GroupInRuns.Emit out) {
      Object[] row = new Object[keyCount + 1];
      System.arraycopy(all.keyValues, 0, row, 0, keyCount);
      row[keyCount] = cells;
      Feature f = new Feature(all.source, all.fid, null, row);
      if (mode == Duplicates.ERROR && all.conflict != null) {
        out.reject(StepOutputs.reject(label, f, "pivot_conflict",
            "key " + key + ": " + all.conflict + " (set duplicates: first or last to keep one)"));
        return;
      }
      out.row(f);
    }
  }

  /** Partials on the wire: key values and cell values through {@link FeatureCoder}. */
  static final class PartialCoder extends CustomCoder<Partial> {
    private static final long serialVersionUID = 1L;
    static final PartialCoder INSTANCE = new PartialCoder();

    @Override
    public void encode(Partial p, OutputStream os) throws IOException {
      int n = p.cells.size();
      String[] keys = new String[n];
      int[] idx = new int[n];
      Object[] vals = new Object[n];
      int i = 0;
      DataOutputStream out = new DataOutputStream(os);
      out.writeBoolean(p.conflict != null);
      if (p.conflict != null) out.writeUTF(p.conflict);
      for (Map.Entry<CellKey, Cell> e : p.cells.entrySet()) {
        keys[i] = e.getKey().column();
        idx[i] = e.getKey().value();
        vals[i] = e.getValue().value();
        i++;
      }
      Object[] head = new Object[p.keyValues.length + 1];
      System.arraycopy(p.keyValues, 0, head, 0, p.keyValues.length);
      head[p.keyValues.length] = new PivotCells(keys, idx, vals);
      FeatureCoder.of().encode(new Feature(p.source, p.fid, null, head), out);
      for (Cell c : p.cells.values()) {
        out.writeInt(c.source());
        out.writeLong(c.fid());
      }
      out.flush();
    }

    @Override
    public Partial decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      Partial p = new Partial();
      if (in.readBoolean()) p.conflict = in.readUTF();
      Feature head = FeatureCoder.of().decode(in);
      p.source = head.source();
      p.fid = head.fid();
      Object[] kv = new Object[head.valueCount() - 1];
      for (int i = 0; i < kv.length; i++) kv[i] = head.value(i);
      p.keyValues = kv;
      PivotCells cells = (PivotCells) head.value(kv.length);
      for (int i = 0; i < cells.size(); i++) {
        p.cells.put(new CellKey(cells.key(i), cells.valueIndex(i)), new Cell(cells.value(i), in.readInt(), in.readLong()));
      }
      return p;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
