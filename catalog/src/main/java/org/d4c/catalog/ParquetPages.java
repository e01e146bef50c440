package org.d4c.catalog;

import org.d4c.geoparquet.ParquetFooters;
import org.d4c.geoparquet.ZstdCodecs;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;

/**
 * Reads a local Parquet file row group by row group without Hadoop: the footer and the column chunks are parsed
 * here and handed to parquet-column's decoders as a {@link PageReadStore}. parquet-java's own {@code
 * ParquetFileReader} cannot be used: every way to build its read options loads Hadoop classes.
 *
 * <p>Handles what the catalog and d4c's GeoParquet writer produce (plain and dictionary pages, v1 and v2 data pages,
 * and every codec {@link ZstdCodecs#decompress} reads); encrypted files are refused.
 */
final class ParquetPages implements Closeable {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  private static final ParquetMetadataConverter CONVERTER = new ParquetMetadataConverter();

  private final Path file;
  private final FileChannel channel;
  private final ParquetMetadata footer;

  private ParquetPages(Path file, FileChannel channel, ParquetMetadata footer) {
    this.file = file;
    this.channel = channel;
    this.footer = footer;
  }

  static ParquetPages open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      return new ParquetPages(file, ch, readFooter(file, ch));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** With a footer already read from this file. */
  static ParquetPages open(Path file, ParquetMetadata footer) throws IOException {
    return new ParquetPages(file, FileChannel.open(file, StandardOpenOption.READ), footer);
  }

  /** The footer only (schema, row groups, key-value metadata). */
  static ParquetMetadata footer(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readFooter(file, ch);
    }
  }

  private static ParquetMetadata readFooter(Path file, FileChannel ch) throws IOException {
    return ParquetFooters.read(file, ch);
  }


  ParquetMetadata footer() {
    return footer;
  }

  MessageType schema() {
    return footer.getFileMetaData().getSchema();
  }

  Map<String, String> keyValueMetadata() {
    return footer.getFileMetaData().getKeyValueMetaData();
  }

  List<BlockMetaData> rowGroups() {
    return footer.getBlocks();
  }

  String createdBy() {
    return footer.getFileMetaData().getCreatedBy();
  }

  /** The pages of the given columns (all columns when {@code columns} is null) of one row group. */
  PageReadStore rowGroup(int index, List<ColumnDescriptor> columns) throws IOException {
    BlockMetaData block = footer.getBlocks().get(index);
    Map<String, ColumnChunkMetaData> byPath = new HashMap<>();
    for (ColumnChunkMetaData c : block.getColumns()) byPath.put(c.getPath().toDotString(), c);
    Map<ColumnDescriptor, ChunkPages> pages = new HashMap<>();
    for (ColumnDescriptor d : columns == null ? schema().getColumns() : columns) {
      ColumnChunkMetaData chunk = byPath.get(String.join(".", d.getPath()));
      if (chunk == null) throw new IOException(file + ": row group " + index + " has no column " + String.join(".", d.getPath()));
      pages.put(d, readChunk(d, chunk));
    }
    long rows = block.getRowCount();
    return new PageReadStore() {
      @Override
      public PageReader getPageReader(ColumnDescriptor descriptor) {
        ChunkPages p = pages.get(descriptor);
        if (p == null) throw new IllegalArgumentException("column not read: " + descriptor);
        return p;
      }

      @Override
      public long getRowCount() {
        return rows;
      }
    };
  }

  private ChunkPages readChunk(ColumnDescriptor d, ColumnChunkMetaData chunk) throws IOException {
    long start = chunk.getStartingPos();
    long length = chunk.getTotalSize();
    if (start < 4 || length <= 0 || start + length > channel.size() - 8 || length > Integer.MAX_VALUE) {
      throw new IOException(file + ": column chunk " + chunk.getPath() + " lies outside the file");
    }
    InputStream in = new ByteArrayInputStream(readFully(channel, start, (int) length).array());
    ChunkPages out = new ChunkPages(chunk.getValueCount());
    long values = 0;
    while (values < chunk.getValueCount()) {
      PageHeader h = Util.readPageHeader(in);
      byte[] body = in.readNBytes(h.getCompressed_page_size());
      if (body.length != h.getCompressed_page_size()) throw new IOException(file + ": truncated page in " + chunk.getPath());
      switch (h.getType()) {
        case DICTIONARY_PAGE -> {
          byte[] raw = ZstdCodecs.decompress(chunk.getCodec(), body, h.getUncompressed_page_size());
          out.dictionary = new DictionaryPage(BytesInput.from(raw), h.getDictionary_page_header().getNum_values(),
              encoding(h.getDictionary_page_header().getEncoding()));
        }
        case DATA_PAGE -> {
          DataPageHeader dh = h.getData_page_header();
          byte[] raw = ZstdCodecs.decompress(chunk.getCodec(), body, h.getUncompressed_page_size());
          out.pages.add(new DataPageV1(BytesInput.from(raw), dh.getNum_values(), h.getUncompressed_page_size(),
              emptyStats(d), encoding(dh.getRepetition_level_encoding()), encoding(dh.getDefinition_level_encoding()),
              encoding(dh.getEncoding())));
          values += dh.getNum_values();
        }
        case DATA_PAGE_V2 -> {
          DataPageHeaderV2 dh = h.getData_page_header_v2();
          int rl = dh.getRepetition_levels_byte_length();
          int dl = dh.getDefinition_levels_byte_length();
          byte[] data = Arrays.copyOfRange(body, rl + dl, body.length);
          if (!dh.isSetIs_compressed() || dh.isIs_compressed()) {
            data = ZstdCodecs.decompress(chunk.getCodec(), data, h.getUncompressed_page_size() - rl - dl);
          }
          out.pages.add(DataPageV2.uncompressed(dh.getNum_rows(), dh.getNum_nulls(), dh.getNum_values(),
              BytesInput.from(Arrays.copyOfRange(body, 0, rl)), BytesInput.from(Arrays.copyOfRange(body, rl, rl + dl)),
              encoding(dh.getEncoding()), BytesInput.from(data), emptyStats(d)));
          values += dh.getNum_values();
        }
        default -> { } // index pages and others carry no values
      }
    }
    return out;
  }

  private static Statistics<?> emptyStats(ColumnDescriptor d) {
    return Statistics.getBuilderForReading(d.getPrimitiveType()).build();
  }

  private static Encoding encoding(org.apache.parquet.format.Encoding e) {
    return CONVERTER.getEncoding(e);
  }

  private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
    if (position < 0) throw new IOException("file too short");
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) throw new IOException("unexpected end of file");
    }
    return buf.flip();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static final class ChunkPages implements PageReader {
    private final long totalValues;
    private final Deque<DataPage> pages = new ArrayDeque<>();
    private DictionaryPage dictionary;

    ChunkPages(long totalValues) {
      this.totalValues = totalValues;
    }

    @Override
    public DictionaryPage readDictionaryPage() {
      return dictionary;
    }

    @Override
    public long getTotalValueCount() {
      return totalValues;
    }

    @Override
    public DataPage readPage() {
      return pages.poll();
    }
  }
}
