package org.d4c.transforms.table;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.d4c.transforms.sort.GroupInRuns;
import org.d4c.transforms.steps.StepOutputs;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.feature.FieldType;
import org.d4c.transforms.progress.LocalProgress;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.rejects.RejectCoder;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * Reads a CSV source in parallel: the planner's splits (whole records, see {@link CsvTables}) are spread over
 * workers, each reads its byte range. Cells are decoded from the source's charset into Java text (so Latin-1 accents
 * come out as the same characters in UTF-8), null markers become null, declared columns are converted and other
 * columns stay text until the output settles their type. A record with the wrong number of fields, a value that
 * does not fit its declared type or text that is not valid in the charset goes to {@link #REJECTS}.
 *
 * <p>Rows are {@link Feature}s: the source index, a row id of (member, byte offset), an optional point geometry.
 */
public final class ReadCsv extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  public static final TupleTag<Feature> ROWS = new TupleTag<>() {};
  public static final TupleTag<Reject> REJECTS = new TupleTag<>() {};

  private final CsvTable table;
  private final int[] keep;

  private ReadCsv(CsvTable table, int[] keep) {
    this.table = table;
    this.keep = keep;
  }

  public static ReadCsv from(CsvTable table) {
    return new ReadCsv(table, null);
  }

  /**
   * Rows of only these columns (header indices, in this order), as a {@code select} would leave them: the others are
   * still checked (charset, declared type), so the same records are rejected, but never kept.
   */
  public ReadCsv keeping(int[] columns) {
    return new ReadCsv(table, columns.clone());
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    PCollectionTuple out = splits(input)
        .apply("Read rows", ParDo.of(new ReadSplitFn(new SplitReader(table, keep)))
            .withOutputTags(ROWS, TupleTagList.of(REJECTS)));
    out.get(ROWS).setCoder(FeatureCoder.of());
    out.get(REJECTS).setCoder(RejectCoder.of());
    return out;
  }

  private org.apache.beam.sdk.values.PCollection<CsvSplit> splits(PBegin input) {
    return input
        .apply("List parts", Create.of(table.splits()).withCoder(SerializableCoder.of(CsvSplit.class)))
        .apply("Spread parts over workers", Reshuffle.viaRandomKey());
  }

  /**
   * Reads the rows straight into the sorted runs of a key-based step ({@link GroupInRuns#writer}), counting them as
   * the step's input ({@code LABEL in}, and what its check rejects as {@code LABEL rejected}, in the
   * {@link StepOutputs} namespace): the runner then carries run file names, not rows, so memory does not grow with
   * the rows on any runner and no per-row step sits between. Outputs {@link GroupInRuns#RUNS} (for
   * {@link GroupInRuns#mergeRuns}) and {@link #REJECTS} (the reader's and the step's check's).
   */
  public PTransform<PBegin, PCollectionTuple> intoRuns(GroupInRuns.RunWriter writer, String label) {
    return new PTransform<>() {
      @Override
      public PCollectionTuple expand(PBegin input) {
        PCollectionTuple out = splits(input)
            .apply("Read rows into runs", ParDo.of(new ReadIntoRunsFn(new SplitReader(table, keep), writer, label))
                .withOutputTags(GroupInRuns.RUNS, TupleTagList.of(REJECTS)));
        out.get(GroupInRuns.RUNS).setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()));
        out.get(REJECTS).setCoder(RejectCoder.of());
        return out;
      }
    };
  }

  /** Where a split's rows and rejects go. */
  interface RowSink {
    void row(Feature f);

    void reject(Reject r);
  }

  static final class ReadSplitFn extends DoFn<CsvSplit, Feature> {
    private static final long serialVersionUID = 1L;
    private final SplitReader reader;

    ReadSplitFn(SplitReader reader) {
      this.reader = reader;
    }

    @Setup
    public void setup() {
      reader.setup();
    }

    @ProcessElement
    public void process(@Element CsvSplit split, MultiOutputReceiver out) {
      reader.read(split, new RowSink() {
        @Override
        public void row(Feature f) {
          out.get(ROWS).output(f);
        }

        @Override
        public void reject(Reject r) {
          out.get(REJECTS).output(r);
        }
      });
    }
  }

  static final class ReadIntoRunsFn extends DoFn<CsvSplit, KV<Integer, String>> {
    private static final long serialVersionUID = 1L;
    private final SplitReader reader;
    private final GroupInRuns.RunWriter writer;
    private final String name;
    private final Counter counter;
    private final Counter rejected;
    private transient java.util.concurrent.atomic.AtomicLong live;

    ReadIntoRunsFn(SplitReader reader, GroupInRuns.RunWriter writer, String label) {
      this.reader = reader;
      this.writer = writer;
      this.name = label + " in";
      this.counter = Metrics.counter(StepOutputs.METRICS_NAMESPACE, name);
      this.rejected = Metrics.counter(StepOutputs.METRICS_NAMESPACE, label + " rejected");
    }

    @Setup
    public void setup() {
      reader.setup();
      live = LocalProgress.step(name);
    }

    @StartBundle
    public void start() {
      writer.start();
    }

    @ProcessElement
    public void process(@Element CsvSplit split, MultiOutputReceiver out) {
      reader.read(split, new RowSink() {
        @Override
        public void row(Feature f) {
          counter.inc();
          live.incrementAndGet();
          Reject r;
          try {
            r = writer.add(f);
          } catch (IOException e) {
            throw new UncheckedIOException("step '" + name + "': writing a sorted run failed: " + e.getMessage(), e);
          }
          if (r != null) {
            rejected.inc();
            out.get(REJECTS).output(r);
          }
        }

        @Override
        public void reject(Reject r) {
          out.get(REJECTS).output(r);
        }
      });
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      for (KV<Integer, String> run : writer.finish()) {
        c.output(GroupInRuns.RUNS, run, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }
  }

  /** Parses a split's records into rows (or rejects); set up once per worker. */
  static final class SplitReader implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final CsvTable table;
    private final int[] keep;
    private final Counter read = Metrics.counter("d4c", "rows_read");
    private transient Charset charset;
    private transient CharsetDecoder decoder;
    private transient byte[][] nullMarkers;
    private transient FieldType[] types;
    private transient int xi;
    private transient int yi;
    private transient GeometryFactory geometries;
    private transient int[] position; // header index -> index in the row, or -1 when not kept
    private transient boolean everyByteDecodes;

    SplitReader(CsvTable table, int[] keep) {
      this.table = table;
      this.keep = keep;
    }

    void setup() {
      charset = Charset.forName(table.charset());
      decoder = CsvRecords.strictDecoder(charset);
      List<String> nulls = table.nullValues();
      nullMarkers = new byte[nulls.size()][];
      for (int i = 0; i < nullMarkers.length; i++) {
        nullMarkers[i] = nulls.get(i).getBytes(charset);
      }
      TableSchema schema = table.schema();
      types = new FieldType[schema.size()];
      for (int i = 0; i < types.length; i++) {
        types[i] = schema.column(i).kind() == Column.Kind.TYPED ? schema.column(i).type() : null;
      }
      xi = table.x() == null ? -1 : table.header().indexOf(table.x());
      yi = table.y() == null ? -1 : table.header().indexOf(table.y());
      geometries = new GeometryFactory();
      position = new int[table.header().size()];
      for (int i = 0; i < position.length; i++) position[i] = keep == null ? i : -1;
      if (keep != null) for (int k = 0; k < keep.length; k++) position[keep[k]] = k;
      // ISO-8859-1 maps every byte: a cell that is not kept needs no decoding to know it is valid text.
      everyByteDecodes = charset.equals(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    void read(CsvSplit split, RowSink out) {
      CsvMember member = table.members().get(split.member());
      int columns = table.header().size();
      try (InputStream in = new CsvTables.BoundedStream(CsvTables.open(member, split.start()), split.end() - split.start())) {
        CsvRecords r = new CsvRecords(in, split.start(), table.delimiter());
        while (r.next()) {
          long id = CsvTable.rowId(split.member(), r.recordOffset());
          if (r.fieldCount() == 1 && r.isEmpty(0) && columns > 1) {
            continue; // a blank line
          }
          read.inc();
          LocalProgress.FEATURES_READ.incrementAndGet();
          if (r.fieldCount() != columns) {
            out.reject(new Reject(table.index(), id, "bad_record", member.name() + ": the record has "
                + r.fieldCount() + " fields, the header has " + columns, null));
            continue;
          }
          Object[] values = new Object[keep == null ? columns : keep.length];
          Object xv = null;
          Object yv = null;
          String problem = null;
          for (int i = 0; i < columns && problem == null; i++) {
            int at = position[i];
            if (at < 0 && types[i] == null && i != xi && i != yi && everyByteDecodes) {
              continue; // not kept, nothing to check
            }
            if (isNull(r, i)) {
              continue;
            }
            String text;
            try {
              text = r.text(i, charset, decoder);
            } catch (CharacterCodingException e) {
              problem = "undecodable_attribute|" + member.name() + ": field '" + table.header().get(i)
                  + "' is not valid " + table.charset() + " (set the source's encoding, e.g. encoding: ISO-8859-1)";
              break;
            }
            Object v;
            if (types[i] == null) {
              v = text;
            } else {
              try {
                v = convert(text, types[i]);
              } catch (IllegalArgumentException | DateTimeParseException e) {
                problem = "bad_value|" + member.name() + ": field '" + table.header().get(i) + "' is declared "
                    + table.declared().get(table.header().get(i)) + " but holds \"" + text + "\"";
                break;
              }
            }
            if (at >= 0) values[at] = v;
            if (i == xi) xv = v;
            if (i == yi) yv = v;
          }
          org.locationtech.jts.geom.Geometry point = null;
          if (problem == null && xi >= 0) {
            try {
              double x = ((Number) Values.number(xv)).doubleValue();
              double y = ((Number) Values.number(yv)).doubleValue();
              point = geometries.createPoint(new Coordinate(x, y));
            } catch (RuntimeException e) {
              problem = (xv == null || yv == null ? "null_geometry|" : "undecodable_geometry|")
                  + member.name() + ": no point from " + table.x() + "=" + xv + ", " + table.y() + "=" + yv;
            }
          }
          if (problem != null) {
            int bar = problem.indexOf('|');
            out.reject(new Reject(table.index(), id, problem.substring(0, bar), problem.substring(bar + 1),
                null));
            continue;
          }
          out.row(new Feature(table.index(), id, point, values));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("source '" + table.id() + "': reading " + member.name() + " failed: "
            + e.getMessage(), e);
      }
    }

    private boolean isNull(CsvRecords r, int i) {
      if (r.isEmpty(i)) {
        return true;
      }
      for (byte[] m : nullMarkers) {
        if (r.equalsBytes(i, m)) {
          return true;
        }
      }
      return false;
    }

    static Object convert(String text, FieldType type) {
      String t = text.strip();
      return switch (type) {
        case INT64 -> {
          try {
            yield Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(e);
          }
        }
        case DOUBLE -> {
          if (!Values.isDecimal(t) && !Values.isInteger(t)) {
            throw new IllegalArgumentException("not a number");
          }
          yield Double.parseDouble(t);
        }
        case BOOLEAN -> switch (t.toLowerCase(Locale.ROOT)) {
          case "true", "t", "yes", "y", "1" -> Boolean.TRUE;
          case "false", "f", "no", "n", "0" -> Boolean.FALSE;
          default -> throw new IllegalArgumentException("not a boolean");
        };
        case DATE -> LocalDate.parse(t);
        default -> text;
      };
    }
  }
}
