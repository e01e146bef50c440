package org.d4c.geoparquet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * Reads the footer (schema, row groups, key-value metadata) of an unencrypted Parquet file without Hadoop: parsed
 * directly, because every way to build {@code ParquetFileReader}'s read options loads Hadoop classes.
 */
public final class ParquetFooters {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  private static final ParquetMetadataConverter CONVERTER = new ParquetMetadataConverter();

  private ParquetFooters() {}

  public static ParquetMetadata read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(file, ch);
    }
  }

  /** From an open channel on {@code file} (named in messages). */
  public static ParquetMetadata read(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 12) throw new IOException(file + " is not a Parquet file (only " + size + " bytes)");
    ByteBuffer head = readFully(ch, 0, 4);
    ByteBuffer tail = readFully(ch, size - 8, 8);
    byte[] magic = new byte[4];
    tail.position(4).get(magic);
    if (!Arrays.equals(head.array(), MAGIC) || !Arrays.equals(magic, MAGIC)) {
      throw new IOException(file + " is not an unencrypted Parquet file (no PAR1 magic at both ends)");
    }
    int length = tail.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (length <= 0 || length > size - 12) throw new IOException(file + ": bad Parquet footer length " + length);
    ByteBuffer footer = readFully(ch, size - 8 - length, length);
    try {
      return CONVERTER.readParquetMetadata(new ByteArrayInputStream(footer.array()), ParquetMetadataConverter.NO_FILTER);
    } catch (RuntimeException e) {
      throw new IOException(file + ": unreadable Parquet footer: " + e.getMessage(), e);
    }
  }

  /** The {@code geo} JSON string of a GeoParquet file, or null if the file has none. */
  public static String geoMetadata(Path file) throws IOException {
    return read(file).getFileMetaData().getKeyValueMetaData().get(GeoMetadata.KEY);
  }

  /** {@code length} bytes at {@code position}, all of them. */
  public static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
    if (position < 0) throw new IOException("file too short for a Parquet footer");
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) throw new IOException("unexpected end of file");
    }
    return buf.flip();
  }
}
