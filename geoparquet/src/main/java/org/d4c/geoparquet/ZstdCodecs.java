package org.d4c.geoparquet;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import java.io.ByteArrayInputStream;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet codecs without Hadoop: parquet-java's own {@code CodecFactory} loads Hadoop classes even for UNCOMPRESSED.
 * Writes ZSTD (zstd-jni) or UNCOMPRESSED; reads what parquet-java reads without extra native libraries, so a catalog
 * from another writer (pyarrow and stac-geoparquet default to SNAPPY) opens: ZSTD, SNAPPY and LZ4_RAW (aircompressor,
 * pure Java), GZIP (the JDK) and UNCOMPRESSED. Shared by the GeoParquet writer (transforms) and the catalog
 * (publisher), which must both run without Hadoop; it lives here because this module is free of Beam as well.
 */
public final class ZstdCodecs implements CompressionCodecFactory {
  private final int level;

  /** @param level the ZSTD level used when compressing */
  public ZstdCodecs(int level) {
    this.level = level;
  }

  /** Decompresses one page body written with {@code codec}. */
  public static byte[] decompress(CompressionCodecName codec, byte[] in, int uncompressedSize) throws IOException {
    switch (codec) {
      case UNCOMPRESSED:
        return in;
      case ZSTD:
        return Zstd.decompress(in, uncompressedSize);
      case SNAPPY: {
        byte[] out = new byte[uncompressedSize];
        return exactly(codec, uncompressedSize, new SnappyDecompressor().decompress(in, 0, in.length, out, 0, out.length), out);
      }
      case LZ4_RAW: {
        byte[] out = new byte[uncompressedSize];
        return exactly(codec, uncompressedSize, new Lz4Decompressor().decompress(in, 0, in.length, out, 0, out.length), out);
      }
      case GZIP:
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(in))) {
          byte[] raw = gz.readNBytes(uncompressedSize);
          if (raw.length != uncompressedSize || gz.read() >= 0) {
            throw new IOException("a GZIP page does not inflate to its declared " + uncompressedSize + " bytes");
          }
          return raw;
        }
      default:
        throw new IOException("Parquet pages compressed with " + codec + " cannot be read here; rewrite the file"
            + " with ZSTD, SNAPPY, GZIP, LZ4_RAW or no compression");
    }
  }

  private static byte[] exactly(CompressionCodecName codec, int expected, int got, byte[] out) throws IOException {
    if (got != expected) {
      throw new IOException("a " + codec + " page inflates to " + got + " bytes, not its declared " + expected);
    }
    return out;
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    check(codec);
    return new BytesInputCompressor() {
      @Override
      public BytesInput compress(BytesInput bytes) throws IOException {
        return codec == CompressionCodecName.ZSTD ? BytesInput.from(Zstd.compress(bytes.toByteArray(), level)) : bytes;
      }

      @Override
      public CompressionCodecName getCodecName() {
        return codec;
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return new BytesInputDecompressor() {
      @Override
      public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
        return BytesInput.from(ZstdCodecs.decompress(codec, bytes.toByteArray(), uncompressedSize));
      }

      @Override
      public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
          throws IOException {
        byte[] in = new byte[compressedSize];
        input.get(in);
        output.put(ZstdCodecs.decompress(codec, in, uncompressedSize));
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void release() {}

  private static CompressionCodecName check(CompressionCodecName codec) {
    if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.UNCOMPRESSED) {
      throw new UnsupportedOperationException("only ZSTD and UNCOMPRESSED Parquet files are supported, not " + codec);
    }
    return codec;
  }
}
