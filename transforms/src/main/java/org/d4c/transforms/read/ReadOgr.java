package org.d4c.transforms.read;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.DoFn.MultiOutputReceiver;
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
import org.gdal.gdal.Dataset;
import org.gdal.gdal.gdal;
import org.gdal.gdalconst.gdalconst;
import org.gdal.ogr.Geometry;
import org.gdal.ogr.Layer;
import org.gdal.ogr.ogr;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

/**
 * Reads one OGR layer in parallel: the planner's splits are spread over workers, each opens its own GDAL dataset
 * and reads its part. Features whose geometry or attributes cannot be decoded go to {@link #REJECTS}.
 */
public final class ReadOgr extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  public static final TupleTag<Feature> FEATURES = new TupleTag<>() {};
  public static final TupleTag<Reject> REJECTS = new TupleTag<>() {};

  private final OgrLayerInfo info;

  private ReadOgr(OgrLayerInfo info) {
    this.info = info;
  }

  /** Reads the layer that {@link OgrLayers#describe} planned. */
  public static ReadOgr from(OgrLayerInfo info) {
    return new ReadOgr(info);
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    PCollectionTuple out = input
        .apply("List parts", Create.of(info.splits()).withCoder(SerializableCoder.of(OgrSplit.class)))
        .apply("Spread parts over workers", Reshuffle.viaRandomKey())
        .apply("Read features", ParDo.of(new ReadSplitFn(info)).withOutputTags(FEATURES, TupleTagList.of(REJECTS)));
    out.get(FEATURES).setCoder(FeatureCoder.of());
    out.get(REJECTS).setCoder(RejectCoder.of());
    return out;
  }

  static final class ReadSplitFn extends DoFn<OgrSplit, Feature> {
    private static final long serialVersionUID = 1L;
    private final SplitReader reader;

    ReadSplitFn(OgrLayerInfo info) {
      this.reader = new SplitReader(info);
    }

    @Setup
    public void setup() {
      reader.start();
    }

    @ProcessElement
    public void process(@Element OgrSplit split, MultiOutputReceiver out) {
      reader.read(split, out);
    }
  }

  /**
   * Reads one split of the layer into {@link #FEATURES} and {@link #REJECTS} of a receiver: the body of this
   * transform's step, also used by steps that read and go on working on each feature without handing it to the
   * runner ({@link org.d4c.transforms.sort.ReadSortedRuns}).
   */
  public static final class SplitReader implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final OgrLayerInfo info;
    private final Counter read = Metrics.counter("d4c", "features_read");
    private transient GeometryFactory geometries;

    public SplitReader(OgrLayerInfo info) {
      this.info = info;
    }

    /** Loads GDAL; call once per worker before {@link #read}. */
    public void start() {
      Gdal.start();
      geometries = new GeometryFactory();
    }

    public void read(OgrSplit split, MultiOutputReceiver out) {
      OgrSource source = info.source();
      Dataset ds = OgrLayers.open(source);
      try {
        Layer layer = OgrLayers.layer(ds, source);
        String range = null;
        if (split.kind() == OgrSplit.Kind.FID_RANGE) {
          String fid = OgrLayers.quote(layer.GetFIDColumn());
          range = fid + " >= " + split.start() + " AND " + fid + " < " + split.end();
        }
        OgrLayers.applyFilter(layer, source, range);
        long remaining = Long.MAX_VALUE;
        if (split.kind() == OgrSplit.Kind.INDEX_RANGE) {
          layer.SetNextByIndex(split.start());
          remaining = split.end() - split.start();
        }
        WKBReader wkbReader = new WKBReader(geometries);
        org.gdal.ogr.Feature f;
        long count = 0;
        long expected = switch (split.kind()) {
          case ALL -> info.featureCount();
          case INDEX_RANGE -> split.end() - split.start();
          case FID_RANGE -> -1; // FIDs may have gaps: the range says nothing about the count
        };
        TextFields text = TextFields.of(info);
        while (remaining-- > 0 && (f = nextFeature(layer, source, count)) != null) {
          count++;
          try {
            convert(f, wkbReader, text, out);
          } finally {
            f.delete();
          }
          read.inc();
          LocalProgress.FEATURES_READ.incrementAndGet();
        }
        if (expected >= 0 && count != expected) {
          // A damaged file can end early without any error from GDAL (e.g. FlatGeobuf cut after its header).
          throw new OgrException(source, "read " + count + " features where the layer announced " + expected
              + " (corrupt or truncated file?)");
        }
        text.delete();
      } finally {
        ds.delete();
      }
    }

    private static org.gdal.ogr.Feature nextFeature(Layer layer, OgrSource source, long readSoFar) {
      org.gdal.ogr.Feature f;
      gdal.ErrorReset();
      try {
        f = layer.GetNextFeature();
      } catch (RuntimeException e) {
        // A record GDAL cannot even parse means the file is damaged: stop rather than guess.
        throw new OgrException(source, "reading failed after " + readSoFar + " features (corrupt or truncated file?): "
            + e.getMessage());
      }
      // Some drivers end the layer early on damage (SQLite: "database disk image is malformed") without throwing;
      // GDAL keeps the error per thread, so this sees only this reader's.
      if (f == null && gdal.GetLastErrorType() >= gdalconst.CE_Failure) {
        throw new OgrException(source, "reading failed after " + readSoFar + " features (corrupt or truncated file?): "
            + gdal.GetLastErrorMsg());
      }
      return f;
    }

    private void convert(org.gdal.ogr.Feature f, WKBReader wkbReader, TextFields text, MultiOutputReceiver out) {
      long fid = f.GetFID();
      int src = info.source().index();
      Geometry g = f.GetGeometryRef();
      if (g == null && "None".equals(info.geometryType())) {
        // A layer without geometry (an attribute table) is read as rows for table outputs and joins.
        Object[] values = new Object[info.schema().size()];
        for (int i = 0; i < values.length; i++) {
          try {
            values[i] = text.isText(i) ? text.value(f, i) : value(f, i, info.schema().field(i).type());
          } catch (IllegalArgumentException e) {
            out.get(REJECTS).output(new Reject(src, fid, Reject.Reason.UNDECODABLE_ATTRIBUTE,
                "field '" + info.schema().field(i).name() + "': " + e.getMessage(), null));
            return;
          }
        }
        out.get(FEATURES).output(new Feature(src, fid, null, values));
        return;
      }
      if (g == null) {
        out.get(REJECTS).output(new Reject(src, fid, Reject.Reason.NULL_GEOMETRY, "the feature has no geometry", null));
        return;
      }
      if (g.IsEmpty()) {
        out.get(REJECTS).output(new Reject(src, fid, Reject.Reason.EMPTY_GEOMETRY, "the geometry is empty", g.ExportToWkt()));
        return;
      }
      org.locationtech.jts.geom.Geometry geometry;
      try {
        Geometry linear = ogr.GT_IsNonLinear(g.GetGeometryType()) != 0 ? g.GetLinearGeometry() : g;
        geometry = wkbReader.read(linear.ExportToIsoWkb());
      } catch (ParseException | RuntimeException e) {
        out.get(REJECTS).output(new Reject(src, fid, Reject.Reason.UNDECODABLE_GEOMETRY, String.valueOf(e.getMessage()),
            safeWkt(g)));
        return;
      }
      var schema = info.schema();
      Object[] values = new Object[schema.size()];
      for (int i = 0; i < values.length; i++) {
        try {
          values[i] = text.isText(i) ? text.value(f, i) : value(f, i, schema.field(i).type());
        } catch (IllegalArgumentException e) {
          out.get(REJECTS).output(new Reject(src, fid, Reject.Reason.UNDECODABLE_ATTRIBUTE,
              "field '" + schema.field(i).name() + "': " + e.getMessage(), safeWkt(g)));
          return;
        }
      }
      out.get(FEATURES).output(new Feature(src, fid, geometry, values));
    }

    private static String safeWkt(Geometry g) {
      try {
        String wkt = g.ExportToWkt();
        return wkt.length() > 10_000 ? wkt.substring(0, 10_000) + "..." : wkt;
      } catch (RuntimeException e) {
        return null;
      }
    }

    static Object value(org.gdal.ogr.Feature f, int i, FieldType type) {
      if (!f.IsFieldSetAndNotNull(i)) {
        return null;
      }
      return switch (type) {
        case BOOLEAN -> f.GetFieldAsInteger(i) != 0;
        case INT32 -> f.GetFieldAsInteger(i);
        case INT64 -> f.GetFieldAsInteger64(i);
        case FLOAT -> (float) f.GetFieldAsDouble(i);
        case DOUBLE -> f.GetFieldAsDouble(i);
        case STRING -> utf8(f.GetFieldAsBinary(i));
        case BINARY -> f.GetFieldAsBinary(i);
        case DATE -> date(f, i);
        case TIMESTAMP -> timestamp(f, i);
      };
    }

    /** Source text must be UTF-8; anything else is reported, never silently re-coded. */
    static String utf8(byte[] bytes) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("text is not valid UTF-8 (set the source's encoding with an open option,"
            + " e.g. ENCODING=ISO-8859-1 for a Shapefile)");
      }
    }

    private static LocalDate date(org.gdal.ogr.Feature f, int i) {
      int[] y = new int[1], m = new int[1], d = new int[1], h = new int[1], min = new int[1], tz = new int[1];
      float[] s = new float[1];
      f.GetFieldAsDateTime(i, y, m, d, h, min, s, tz);
      try {
        return LocalDate.of(y[0], m[0], d[0]);
      } catch (java.time.DateTimeException e) {
        throw new IllegalArgumentException("not a date: " + f.GetFieldAsString(i));
      }
    }

    /** OGR time zone flag: 100 is UTC, 100 ± n is an offset of n quarter hours; unknown or local time is taken as UTC. */
    private static Instant timestamp(org.gdal.ogr.Feature f, int i) {
      int[] y = new int[1], m = new int[1], d = new int[1], h = new int[1], min = new int[1], tz = new int[1];
      float[] s = new float[1];
      f.GetFieldAsDateTime(i, y, m, d, h, min, s, tz);
      try {
        // Rounding to milliseconds may carry into the next second (59.9999 s): add, never construct with 1000 ms.
        long millis = Math.round(s[0] * 1000.0);
        LocalDateTime t = LocalDateTime.of(y[0], m[0], d[0], h[0], min[0]).plus(millis, ChronoUnit.MILLIS);
        int offsetSeconds = tz[0] > 1 ? (tz[0] - 100) * 15 * 60 : 0;
        return t.toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
      } catch (java.time.DateTimeException e) {
        throw new IllegalArgumentException("not a date-time: " + f.GetFieldAsString(i));
      }
    }
  }
}
