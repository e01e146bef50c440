package org.d4c.transforms.geoparquet;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Codecs for ZSTD (via zstd-jni) and UNCOMPRESSED only. Replaces parquet-java's default {@code CodecFactory}, which
 * loads Hadoop's codec classes even for UNCOMPRESSED and so cannot run without Hadoop.
 */
final class ZstdCodecFactory implements CompressionCodecFactory {
  private final int level;

  ZstdCodecFactory(int level) {
    this.level = level;
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
        return codec == CompressionCodecName.ZSTD
            ? BytesInput.from(Zstd.decompress(bytes.toByteArray(), uncompressedSize)) : bytes;
      }

      @Override
      public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
          throws IOException {
        byte[] in = new byte[compressedSize];
        input.get(in);
        output.put(codec == CompressionCodecName.ZSTD ? Zstd.decompress(in, uncompressedSize) : in);
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void release() {}

  private static CompressionCodecName check(CompressionCodecName codec) {
    if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.UNCOMPRESSED) {
      throw new UnsupportedOperationException("only ZSTD and UNCOMPRESSED are supported, not " + codec);
    }
    return codec;
  }
}
