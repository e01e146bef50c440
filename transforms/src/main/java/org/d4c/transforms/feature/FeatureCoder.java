package org.d4c.transforms.feature;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * Encodes a {@link Feature} compactly: geometry as 2D little-endian WKB, each value with a one-byte type tag so the
 * coder needs no schema. Deterministic, so features can be grouping keys or sorted by a runner.
 */
public final class FeatureCoder extends CustomCoder<Feature> {
  private static final long serialVersionUID = 1L;
  private static final FeatureCoder INSTANCE = new FeatureCoder();
  private static final GeometryFactory GEOMETRIES = new GeometryFactory();

  private static final byte NULL = 0;
  private static final byte BOOLEAN = 1;
  private static final byte INT32 = 2;
  private static final byte INT64 = 3;
  private static final byte FLOAT = 4;
  private static final byte DOUBLE = 5;
  private static final byte STRING = 6;
  private static final byte DATE = 7;
  private static final byte TIMESTAMP = 8;
  private static final byte BINARY = 9;
  private static final byte PIVOT_CELLS = 10;
  /** Text of up to 255 UTF-8 bytes: a one-byte length (most values, e.g. every count of a census profile). */
  private static final byte SHORT_STRING = 11;

  public static FeatureCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Feature f, OutputStream outStream) throws IOException {
    DataOutputStream out = new DataOutputStream(outStream);
    out.writeInt(f.source());
    out.writeLong(f.fid());
    out.writeLong(f.sortKey());
    writeBytes(out, f.wkb() != null ? f.wkb() : f.geometry() == null ? null : toWkb(f.geometry()));
    out.writeInt(f.valueCount());
    for (int i = 0; i < f.valueCount(); i++) {
      writeValue(out, f.value(i));
    }
    out.flush();
  }

  @Override
  public Feature decode(InputStream inStream) throws IOException {
    DataInputStream in = new DataInputStream(inStream);
    int source = in.readInt();
    long fid = in.readLong();
    long sortKey = in.readLong();
    byte[] wkb = readBytes(in);
    Object[] values = new Object[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = readValue(in);
    }
    // The geometry stays WKB until a step asks for it; a writer takes the bytes as they are.
    return wkb == null ? new Feature(source, fid, null, values, sortKey) : Feature.ofWkb(source, fid, wkb, values, sortKey);
  }

  /** The coder's bytes of one feature, without the synchronized byte streams of {@code CoderUtils} (hot in sorts). */
  public static byte[] toBytes(Feature f) {
    Out out = new Out();
    try {
      INSTANCE.encode(f, out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** A feature from {@link #toBytes}. */
  public static Feature fromBytes(byte[] bytes) {
    try {
      return INSTANCE.decode(new In(bytes));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsynchronized byte array input (ByteArrayInputStream locks on every byte DataInputStream reads). */
  private static final class In extends InputStream {
    private final byte[] b;
    private int pos;

    In(byte[] b) {
      this.b = b;
    }

    @Override
    public int read() {
      return pos < b.length ? b[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
      if (len == 0) return 0;
      int n = Math.min(len, b.length - pos);
      if (n <= 0) return -1;
      System.arraycopy(b, pos, dst, off, n);
      pos += n;
      return n;
    }
  }

  /** An unsynchronized growing byte array output. */
  private static final class Out extends OutputStream {
    private byte[] b = new byte[256];
    private int n;

    private void room(int more) {
      if (n + more > b.length) b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + more));
    }

    @Override
    public void write(int x) {
      room(1);
      b[n++] = (byte) x;
    }

    @Override
    public void write(byte[] src, int off, int len) {
      room(len);
      System.arraycopy(src, off, b, n, len);
      n += len;
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(b, n);
    }
  }

  @Override
  public void verifyDeterministic() {
    // Every value is written in a fixed binary form.
  }

  @Override
  public List<? extends org.apache.beam.sdk.coders.Coder<?>> getCoderArguments() {
    return Collections.emptyList();
  }

  /** Reads WKB as {@link #toWkb} writes it. */
  public static Geometry fromWkb(byte[] wkb) {
    try {
      return new WKBReader(GEOMETRIES).read(wkb);
    } catch (ParseException e) {
      throw new IllegalArgumentException("cannot decode feature geometry: " + e.getMessage(), e);
    }
  }

  /** 2D little-endian WKB, the encoding GeoParquet files carry. */
  public static byte[] toWkb(Geometry g) {
    return new WKBWriter(2, org.locationtech.jts.io.ByteOrderValues.LITTLE_ENDIAN).write(g);
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  /** Unsigned LEB128: 7 bits a byte, low bits first. */
  private static void writeVarInt(DataOutputStream out, int v) throws IOException {
    while ((v & ~0x7F) != 0) {
      out.writeByte((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
  }

  private static int readVarInt(DataInputStream in) throws IOException {
    int v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    throw new CoderException("malformed variable-length integer");
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  private static void writeValue(DataOutputStream out, Object v) throws IOException {
    if (v == null) {
      out.writeByte(NULL);
    } else if (v instanceof Boolean b) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(b);
    } else if (v instanceof Integer i) {
      out.writeByte(INT32);
      out.writeInt(i);
    } else if (v instanceof Long l) {
      out.writeByte(INT64);
      out.writeLong(l);
    } else if (v instanceof Float fl) {
      out.writeByte(FLOAT);
      out.writeInt(Float.floatToRawIntBits(fl));
    } else if (v instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeLong(Double.doubleToRawLongBits(d));
    } else if (v instanceof String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length < 256) {
        out.writeByte(SHORT_STRING);
        out.writeByte(b.length);
        out.write(b);
      } else {
        out.writeByte(STRING);
        writeBytes(out, b);
      }
    } else if (v instanceof LocalDate d) {
      out.writeByte(DATE);
      out.writeLong(d.toEpochDay());
    } else if (v instanceof Instant t) {
      out.writeByte(TIMESTAMP);
      out.writeLong(t.getEpochSecond());
      out.writeInt(t.getNano());
    } else if (v instanceof byte[] b) {
      out.writeByte(BINARY);
      writeBytes(out, b);
    } else if (v instanceof org.d4c.transforms.table.PivotCells c) {
      // A wide row has thousands of cells, each key usually once per value field in a row: a cell says its value
      // field and whether its key is the previous cell's, so most keys are written (and read back) once.
      out.writeByte(PIVOT_CELLS);
      out.writeInt(c.size());
      for (int i = 0; i < c.size(); i++) {
        boolean same = i > 0 && c.key(i).equals(c.key(i - 1));
        writeVarInt(out, (c.valueIndex(i) << 1) | (same ? 1 : 0));
        if (!same) {
          byte[] k = c.key(i).getBytes(StandardCharsets.UTF_8);
          writeVarInt(out, k.length);
          out.write(k);
        }
        writeValue(out, c.value(i));
      }
    } else {
      throw new CoderException("unsupported feature value type " + v.getClass().getName());
    }
  }

  private static org.d4c.transforms.table.PivotCells readCells(DataInputStream in) throws IOException {
    int n = in.readInt();
    String[] keys = new String[n];
    int[] idx = new int[n];
    Object[] values = new Object[n];
    for (int i = 0; i < n; i++) {
      int head = readVarInt(in);
      idx[i] = head >>> 1;
      if ((head & 1) != 0 && i > 0) {
        keys[i] = keys[i - 1]; // the same String: hashed once where the cells are placed
      } else {
        byte[] k = new byte[readVarInt(in)];
        in.readFully(k);
        keys[i] = new String(k, StandardCharsets.UTF_8);
      }
      values[i] = readValue(in);
    }
    return new org.d4c.transforms.table.PivotCells(keys, idx, values);
  }

  private static Object readValue(DataInputStream in) throws IOException {
    byte tag = in.readByte();
    return switch (tag) {
      case NULL -> null;
      case BOOLEAN -> in.readBoolean();
      case INT32 -> in.readInt();
      case INT64 -> in.readLong();
      case FLOAT -> Float.intBitsToFloat(in.readInt());
      case DOUBLE -> Double.longBitsToDouble(in.readLong());
      case STRING -> new String(readBytes(in), StandardCharsets.UTF_8);
      case SHORT_STRING -> {
        byte[] b = new byte[in.readUnsignedByte()];
        in.readFully(b);
        yield new String(b, StandardCharsets.UTF_8);
      }
      case DATE -> LocalDate.ofEpochDay(in.readLong());
      case TIMESTAMP -> Instant.ofEpochSecond(in.readLong(), in.readInt());
      case BINARY -> readBytes(in);
      case PIVOT_CELLS -> readCells(in);
      default -> throw new CoderException("unknown feature value tag " + tag);
    };
  }
}
