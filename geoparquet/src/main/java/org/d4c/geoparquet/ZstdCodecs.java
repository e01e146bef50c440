package org.d4c.geoparquet;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet codecs for ZSTD (zstd-jni) and UNCOMPRESSED only, without Hadoop: parquet-java's own {@code CodecFactory}
 * loads Hadoop classes even for UNCOMPRESSED. Shared by the GeoParquet writer (transforms) and the catalog
 * (publisher), which must both run without Hadoop; it lives here because this module is free of Beam as well.
 */
public final class ZstdCodecs implements CompressionCodecFactory {
  private final int level;

  /** @param level the ZSTD level used when compressing */
  public ZstdCodecs(int level) {
    this.level = level;
  }

  /** Decompresses one page body. */
  public static byte[] decompress(CompressionCodecName codec, byte[] in, int uncompressedSize) throws IOException {
    return check(codec) == CompressionCodecName.ZSTD ? Zstd.decompress(in, uncompressedSize) : in;
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
    check(codec);
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
