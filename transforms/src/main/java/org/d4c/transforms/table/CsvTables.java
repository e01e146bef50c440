package org.d4c.transforms.table;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans the read of a CSV source: reads each member's header, checks that every member has the same columns, and
 * cuts the members into splits at record boundaries. One sequential pass over the bytes follows the quoting exactly
 * as the reader does, so a quoted field with line breaks never straddles two splits.
 */
public final class CsvTables {
  private CsvTables() {}

  /** A problem with a CSV source; the message names the source and member. */
  public static final class CsvException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CsvException(String message) {
      super(message);
    }
  }

  /**
   * @param bytesPerSplit a split ends at the first record boundary after this many bytes
   */
  public static CsvTable plan(int index, String id, List<CsvMember> members, String charset, char delimiter,
      List<String> nullValues, Map<String, String> declared, String x, String y, String crs, long bytesPerSplit)
      throws IOException {
    Charset cs = Charset.forName(charset);
    List<String> header = null;
    String firstMember = null;
    List<CsvSplit> splits = new ArrayList<>();
    long records = 0;
    for (int m = 0; m < members.size(); m++) {
      CsvMember member = members.get(m);
      List<String> h;
      long dataStart;
      try (InputStream in = open(member, 0)) {
        CsvRecords r = new CsvRecords(in, 0, delimiter);
        if (!r.next()) {
          throw new CsvException("source '" + id + "': " + member.name() + " is empty: expected a header line");
        }
        h = new ArrayList<>();
        CharsetDecoder dec = CsvRecords.strictDecoder(cs);
        for (int i = 0; i < r.fieldCount(); i++) {
          String name = r.text(i, cs, dec);
          if (i == 0 && name.startsWith("\uFEFF")) {
            name = name.substring(1); // byte order mark
          }
          if (i == 0 && name.startsWith("ï»¿")) {
            name = name.substring(3); // a UTF-8 byte order mark read as Latin-1
          }
          h.add(name);
        }
        if (!r.next()) {
          dataStart = member.length();
        } else {
          dataStart = r.recordOffset();
        }
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new CsvException("source '" + id + "': the header of " + member.name() + " is not valid " + charset
            + "; set the source's encoding (e.g. encoding: ISO-8859-1)");
      }
      Set<String> unique = new LinkedHashSet<>(h);
      if (unique.size() != h.size()) {
        // Real files repeat a column (StatCan's SYMBOL after every count): number the repeats.
        List<String> renamed = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String name : h) {
          String n = name;
          for (int k = 2; !seen.add(n); k++) {
            n = name + "_" + k;
          }
          renamed.add(n);
        }
        h = renamed;
      }
      if (header == null) {
        header = h;
        firstMember = member.name();
      } else if (!header.equals(h)) {
        throw new CsvException("source '" + id + "': member " + member.name() + " has the columns " + h
            + ", but " + firstMember + " has " + header + "; every member of one source must have the same columns");
      }
      records += cut(member, m, dataStart, delimiter, bytesPerSplit, splits);
    }
    for (String col : declared.keySet()) {
      if (!header.contains(col)) {
        throw new CsvException("source '" + id + "': types names column '" + col + "', which is not in the header "
            + header);
      }
    }
    for (String col : new String[] {x, y}) {
      if (col != null && !header.contains(col)) {
        throw new CsvException("source '" + id + "': x/y names column '" + col + "', which is not in the header "
            + header);
      }
    }
    return new CsvTable(index, id, members, charset, delimiter, nullValues, header, declared, x, y, crs, splits, records);
  }

  static InputStream open(CsvMember member, long from) throws IOException {
    FileChannel ch = FileChannel.open(Path.of(member.file()), StandardOpenOption.READ);
    ch.position(member.offset() + from);
    InputStream raw = Channels.newInputStream(ch);
    return new BoundedStream(raw, member.length() - from);
  }

  /** Scans the member from {@code dataStart}, adds its splits and returns its record count. */
  private static long cut(CsvMember member, int m, long dataStart, char delimiter, long bytesPerSplit,
      List<CsvSplit> splits) throws IOException {
    long records = 0;
    long splitStart = dataStart;
    try (InputStream in = new BufferedInputStream(open(member, dataStart), 1 << 20)) {
      byte d = (byte) delimiter;
      boolean quoted = false;
      boolean fieldStart = true;
      boolean quotePending = false; // a quote inside a quoted field: closing, or the first of ""
      boolean recordHasBytes = false;
      long pos = dataStart;
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        for (int i = 0; i < n; i++, pos++) {
          byte b = buf[i];
          if (quotePending) {
            quotePending = false;
            if (b == '"') {
              continue; // "" inside quotes
            }
            quoted = false;
          }
          if (quoted) {
            if (b == '"') {
              quotePending = true;
            }
            continue;
          }
          if (b != '\n' && b != '\r') {
            recordHasBytes = true;
          }
          if (b == d) {
            fieldStart = true;
          } else if (b == '\n') {
            fieldStart = true;
            if (recordHasBytes) {
              records++;
            }
            recordHasBytes = false;
            long next = pos + 1;
            if (next - splitStart >= bytesPerSplit) {
              splits.add(new CsvSplit(m, splitStart, next));
              splitStart = next;
            }
          } else if (b == '"' && fieldStart) {
            quoted = true;
            fieldStart = false;
          } else {
            fieldStart = false;
          }
        }
      }
      if (recordHasBytes || quoted) {
        records++;
      }
      if (pos > splitStart) {
        splits.add(new CsvSplit(m, splitStart, pos));
      }
    }
    return records;
  }

  /** At most {@code limit} bytes of a stream. */
  static final class BoundedStream extends InputStream {
    private final InputStream in;
    private long left;

    BoundedStream(InputStream in, long limit) {
      this.in = in;
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
