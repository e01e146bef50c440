package org.d4c.geoparquet;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/**
 * The one Parquet writer builder: a {@link WriteSupport} of any record type, Hadoop-free configuration and ZSTD
 * through {@link ZstdCodecs}. Callers add the write mode and row-group limits.
 */
public final class ParquetWriters {
  private ParquetWriters() {}

  public static <T> Builder<T> builder(OutputFile file, WriteSupport<T> support, int zstdLevel) {
    return new Builder<>(file, support).withConf(new PlainParquetConfiguration()).withCodecFactory(new ZstdCodecs(zstdLevel))
        .withCompressionCodec(CompressionCodecName.ZSTD);
  }

  public static final class Builder<T> extends ParquetWriter.Builder<T, Builder<T>> {
    private final WriteSupport<T> support;

    private Builder(OutputFile file, WriteSupport<T> support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder<T> self() {
      return this;
    }

    @Override
    protected WriteSupport<T> getWriteSupport(ParquetConfiguration conf) {
      return support;
    }

    /** Required by the abstract class; never called because the configuration is a {@link ParquetConfiguration}. */
    @Override
    protected WriteSupport<T> getWriteSupport(Configuration conf) {
      return support;
    }
  }
}
