package org.d4c.publisher.catalog;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * ZSTD (zstd-jni) and UNCOMPRESSED, without Hadoop: parquet-java's own {@code CodecFactory} loads Hadoop classes even
 * for UNCOMPRESSED. Same idea as the transforms module's writer codec, which is package-private there and sits in a
 * module that brings Beam; the catalog must stay free of both.
 */
final class ParquetCodecs implements CompressionCodecFactory {
  private final int level;

  ParquetCodecs(int level) {
    this.level = level;
  }

  static byte[] decompress(CompressionCodecName codec, byte[] in, int uncompressedSize) throws IOException {
    return switch (check(codec)) {
      case ZSTD -> Zstd.decompress(in, uncompressedSize);
      default -> in;
    };
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
        return BytesInput.from(ParquetCodecs.decompress(codec, bytes.toByteArray(), uncompressedSize));
      }

      @Override
      public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
          throws IOException {
        byte[] in = new byte[compressedSize];
        input.get(in);
        output.put(ParquetCodecs.decompress(codec, in, uncompressedSize));
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void release() {}

  private static CompressionCodecName check(CompressionCodecName codec) {
    if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.UNCOMPRESSED) {
      throw new UnsupportedOperationException("only ZSTD and UNCOMPRESSED Parquet files are read here, not " + codec);
    }
    return codec;
  }
}
