package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.d4c.core.hash.Hashing;

/**
 * Row groups of catalog.parquet, placed by content so that adding an item rewrites only the row groups around its
 * dataset and copies every other one byte for byte. A row starts a new row group when it is the first row or when
 * SHA-256 of its key ({@code collection/id}) is divisible by the modulus (8192 by default: row groups of about 8192
 * rows). Which rows share a row group thus depends on the rows alone, never on the order items were added, and a file
 * assembled from copied and new row groups has the same bytes as one written from scratch.
 *
 * <p>{@link #assemble} writes the Parquet file from row groups taken out of other Parquet files (each written by
 * parquet-java): the column chunks are copied, their offsets moved, the footer written anew. Page indexes and bloom
 * filters are not carried (none is written), so every catalog.parquet has the same layout however it was made.
 */
final class RowGroups {
  static final int DEFAULT_MODULUS = 8192;
  /** File-metadata key recording how the row groups were cut; a file without it is rewritten whole. */
  static final String MARKER_KEY = "d4c:row_groups";
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  /** One row group to place: its metadata as stored in {@code file}. */
  record Piece(Path file, RowGroup group) {}

  private RowGroups() {}

  static int modulus() {
    return Integer.getInteger("d4c.catalog.rowGroupModulus", DEFAULT_MODULUS);
  }

  static String marker(int modulus) {
    return "sha256(collection/id) % " + modulus + " == 0 starts a row group";
  }

  static boolean isBoundary(String collection, String id, int modulus) {
    MessageDigest md = Hashing.newSha256();
    byte[] h = md.digest((collection + "/" + id).getBytes(StandardCharsets.UTF_8));
    long v = ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
    return v % modulus == 0;
  }

  static boolean isBoundary(JsonNode item, int modulus) {
    return isBoundary(item.path("collection").asText(), item.path("id").asText(), modulus);
  }

  /** Sorted rows cut into row groups: a group starts at the first row and at every boundary row. */
  static <T extends JsonNode> List<List<T>> split(List<T> rows, int modulus) {
    List<List<T>> out = new ArrayList<>();
    for (T r : rows) {
      if (out.isEmpty() || isBoundary(r, modulus)) out.add(new ArrayList<>());
      out.get(out.size() - 1).add(r);
    }
    return out;
  }

  /** The Thrift footer of a Parquet file (what {@link #assemble} copies row groups from). */
  static FileMetaData footer(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer tail = ByteBuffer.allocate(8);
      ch.read(tail, size - 8);
      int length = tail.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
      if (length <= 0 || length > size - 12) throw new IOException(file + ": bad Parquet footer length " + length);
      ByteBuffer f = ByteBuffer.allocate(length);
      while (f.hasRemaining()) if (ch.read(f, size - 8 - length + f.position()) < 0) throw new IOException("truncated");
      return Util.readFileMetaData(new ByteArrayInputStream(f.array()));
    }
  }

  /**
   * Writes {@code target} atomically from the given row groups, in order, with {@code template}'s schema and
   * created_by and the given key-value metadata (sorted by key).
   */
  static void assemble(Path target, FileMetaData template, List<Piece> pieces, Map<String, String> keyValue) throws IOException {
    Path abs = target.toAbsolutePath();
    Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        out.write(ByteBuffer.wrap(MAGIC));
        long pos = MAGIC.length;
        List<RowGroup> groups = new ArrayList<>();
        long rows = 0;
        Map<Path, FileChannel> sources = new TreeMap<>();
        try {
          for (Piece p : pieces) {
            RowGroup rg = p.group().deepCopy();
            long start = Long.MAX_VALUE;
            long end = 0;
            for (ColumnChunk c : rg.getColumns()) {
              ColumnMetaData m = c.getMeta_data();
              long s = m.isSetDictionary_page_offset() && m.getDictionary_page_offset() > 0
                  ? Math.min(m.getDictionary_page_offset(), m.getData_page_offset()) : m.getData_page_offset();
              start = Math.min(start, s);
              end = Math.max(end, s + m.getTotal_compressed_size());
            }
            long delta = pos - start;
            for (ColumnChunk c : rg.getColumns()) {
              ColumnMetaData m = c.getMeta_data();
              m.setData_page_offset(m.getData_page_offset() + delta);
              if (m.isSetDictionary_page_offset()) m.setDictionary_page_offset(m.getDictionary_page_offset() + delta);
              if (m.isSetIndex_page_offset()) m.setIndex_page_offset(m.getIndex_page_offset() + delta);
              m.unsetBloom_filter_offset();
              m.unsetBloom_filter_length();
              c.setFile_offset(c.getFile_offset() + delta);
              c.unsetColumn_index_offset();
              c.unsetColumn_index_length();
              c.unsetOffset_index_offset();
              c.unsetOffset_index_length();
            }
            if (rg.isSetFile_offset()) rg.setFile_offset(rg.getFile_offset() + delta);
            rg.setOrdinal((short) groups.size());
            FileChannel src = sources.computeIfAbsent(p.file(), f -> {
              try {
                return FileChannel.open(f, StandardOpenOption.READ);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
            long copied = 0;
            while (copied < end - start) copied += src.transferTo(start + copied, end - start - copied, out);
            pos += end - start;
            rows += rg.getNum_rows();
            groups.add(rg);
          }
        } finally {
          for (FileChannel c : sources.values()) c.close();
        }
        FileMetaData f = template.deepCopy();
        f.setRow_groups(groups);
        f.setNum_rows(rows);
        List<KeyValue> kv = new ArrayList<>();
        new TreeMap<>(keyValue).forEach((k, v) -> kv.add(new KeyValue(k).setValue(v)));
        f.setKey_value_metadata(kv);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Util.writeFileMetaData(f, bytes);
        out.write(ByteBuffer.wrap(bytes.toByteArray()));
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, bytes.size()));
        out.write(ByteBuffer.wrap(MAGIC));
        out.force(true);
      }
      if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(tmp, org.d4c.core.io.AtomicFiles.PUBLIC); // served as it is, whatever the umask
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
