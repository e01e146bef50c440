package org.d4c.transforms.geoparquet;

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

/** Reads GeoParquet footers without Hadoop. */
public final class GeoParquetFiles {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private GeoParquetFiles() {}

  /**
   * The footer (schema, row groups, key-value metadata) of an unencrypted Parquet file. Parsed directly rather than
   * through {@code ParquetFileReader}: every {@code ParquetReadOptions} builder loads Hadoop classes.
   */
  public static ParquetMetadata readFooter(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      // File layout: "PAR1" ... footer, 4-byte little-endian footer length, "PAR1".
      ByteBuffer tail = readFully(ch, size - 8, 8);
      byte[] magic = new byte[4];
      tail.position(4).get(magic);
      if (size < 12 || !Arrays.equals(magic, MAGIC)) {
        throw new IOException(file + " is not an unencrypted Parquet file");
      }
      int length = tail.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
      if (length <= 0 || length > size - 12) {
        throw new IOException(file + ": bad footer length " + length);
      }
      ByteBuffer footer = readFully(ch, size - 8 - length, length);
      return new ParquetMetadataConverter().readParquetMetadata(
          new ByteArrayInputStream(footer.array()), ParquetMetadataConverter.NO_FILTER);
    }
  }

  /** The {@code geo} JSON string of a GeoParquet file, or null if the file has none. */
  public static String readGeoMetadata(Path file) throws IOException {
    return readFooter(file).getFileMetaData().getKeyValueMetaData().get("geo");
  }

  private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
    if (position < 0) {
      throw new IOException("file too short for a Parquet footer");
    }
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    return buf.flip();
  }
}
