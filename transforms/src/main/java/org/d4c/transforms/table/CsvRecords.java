package org.d4c.transforms.table;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * RFC 4180 records from a byte stream: fields split on a one-byte delimiter, {@code "}-quoted fields with {@code ""}
 * escapes and embedded delimiters or line breaks, records ending at a line feed outside quotes (a preceding carriage
 * return is dropped). Works on bytes, so each record's byte offset is known: it is the row's stable id, whatever
 * split read it. Fields are decoded with the source's charset only when asked for.
 */
final class CsvRecords {
  private final InputStream in;
  private final byte delimiter;
  private final byte[] chunk = new byte[1 << 16];
  private int chunkPos;
  private int chunkLen;
  private long position; // bytes consumed from the stream
  private byte[] record = new byte[1024];
  private int recordLen;
  private int[] starts = new int[64];
  private int[] ends = new int[64];
  private int fields;
  private long recordOffset;

  CsvRecords(InputStream in, long startPosition, char delimiter) {
    this.in = in;
    this.position = startPosition;
    this.delimiter = (byte) delimiter;
  }

  /** Byte offset (within the member) where the current record starts. */
  long recordOffset() {
    return recordOffset;
  }

  int fieldCount() {
    return fields;
  }

  /** Reads the next record; false at the end of the stream. A blank line is a record with one empty field. */
  boolean next() throws IOException {
    recordLen = 0;
    fields = 0;
    recordOffset = position;
    if (!fill()) {
      return false;
    }
    boolean quoted = false;
    boolean fieldWasQuoted = false;
    int fieldStart = 0;
    while (true) {
      if (chunkPos == chunkLen && !fill()) {
        endField(fieldStart, fieldWasQuoted);
        return true; // last record without a final line feed
      }
      byte b = chunk[chunkPos++];
      position++;
      if (quoted) {
        if (b == '"') {
          if (chunkPos == chunkLen && !fill()) {
            quoted = false;
            continue;
          }
          if (chunk[chunkPos] == '"') {
            chunkPos++;
            position++;
            append(b);
          } else {
            quoted = false;
          }
        } else {
          append(b);
        }
      } else if (b == delimiter) {
        endField(fieldStart, fieldWasQuoted);
        fieldStart = recordLen;
        fieldWasQuoted = false;
      } else if (b == '\n') {
        endField(fieldStart, fieldWasQuoted);
        return true;
      } else if (b == '\r' && (chunkPos < chunkLen || fill()) && chunk[chunkPos] == '\n') {
        // CR LF ends the record like LF: the CR is not part of the value
      } else if (b == '"' && recordLen == fieldStart && !fieldWasQuoted) {
        quoted = true;
        fieldWasQuoted = true;
      } else {
        append(b);
      }
    }
  }


  private boolean fill() throws IOException {
    if (chunkPos < chunkLen) {
      return true;
    }
    chunkLen = in.read(chunk, 0, chunk.length);
    chunkPos = 0;
    if (chunkLen <= 0) {
      chunkLen = 0;
      return false;
    }
    return true;
  }

  private void append(byte b) {
    if (recordLen == record.length) {
      record = Arrays.copyOf(record, record.length * 2);
    }
    record[recordLen++] = b;
  }

  private void endField(int start, boolean quoted) {
    if (fields == starts.length) {
      starts = Arrays.copyOf(starts, fields * 2);
      ends = Arrays.copyOf(ends, fields * 2);
    }
    starts[fields] = start;
    ends[fields] = recordLen;
    fields++;
  }

  boolean isEmpty(int field) {
    return starts[field] == ends[field];
  }

  /** True when the field's bytes equal {@code marker}'s (already encoded). */
  boolean equalsBytes(int field, byte[] marker) {
    int len = ends[field] - starts[field];
    return len == marker.length && Arrays.equals(record, starts[field], ends[field], marker, 0, len);
  }

  /**
   * The field as text. ISO-8859-1 maps every byte; other charsets are decoded strictly.
   *
   * @throws CharacterCodingException when the bytes are not valid in the charset
   */
  String text(int field, Charset charset, CharsetDecoder strict) throws CharacterCodingException {
    int len = ends[field] - starts[field];
    if (charset == StandardCharsets.ISO_8859_1) {
      return new String(record, starts[field], len, charset);
    }
    if (charset == StandardCharsets.UTF_8) {
      boolean ascii = true;
      for (int i = starts[field]; i < ends[field] && ascii; i++) {
        ascii = record[i] >= 0;
      }
      if (ascii) {
        return new String(record, starts[field], len, StandardCharsets.ISO_8859_1);
      }
    }
    CharBuffer chars = strict.reset().decode(ByteBuffer.wrap(record, starts[field], len));
    return chars.toString();
  }

  static CharsetDecoder strictDecoder(Charset charset) {
    return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }
}
