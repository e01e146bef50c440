package org.d4c.transforms.table;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.d4c.geoparquet.ParquetFooters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableParquetWriterTest {
  @TempDir Path tmp;

  @Test
  void wideTablesGetFewerRowsPerRowGroupNarrowOnesTheConfiguredCount() {
    assertThat(TableParquetWriter.rowsPerGroup(100_000, 6), is(100_000));
    assertThat(TableParquetWriter.rowsPerGroup(100_000, 80), is(100_000));
    assertThat(TableParquetWriter.rowsPerGroup(100_000, 6_001), is(1_333));
    assertThat(TableParquetWriter.rowsPerGroup(100_000, 20_000_000), is(1));
    assertThat(TableParquetWriter.rowsPerGroup(500, 6_001), is(500));
  }

  /** Every type, nulls, several row groups, and pages cut by row count (20,000) and by size (1 MB) inside them. */
  @Test
  void writingByColumnGivesTheRecordWritersBytesForANarrowTable() throws Exception {
    List<TableShape.Out> cols = new ArrayList<>();
    TableShape.Type[] types = TableShape.Type.values();
    for (int i = 0; i < types.length; i++) {
      cols.add(new TableShape.Out("c" + i + "_" + types[i].name().toLowerCase(java.util.Locale.ROOT), types[i], i, null, 0));
    }
    SplittableRandom rnd = new SplittableRandom(7);
    Function<Integer, Object[]> row = r -> {
      Object[] v = new Object[types.length];
      for (int i = 0; i < types.length; i++) {
        if (rnd.nextInt(10) == 0) continue; // about one null in ten
        v[i] = switch (types[i]) {
          case BOOLEAN -> rnd.nextBoolean();
          case INT8 -> rnd.nextInt(-128, 128);
          case INT16 -> rnd.nextInt(-3000, 3000);
          case INT32 -> r % 7 == 0 ? rnd.nextInt() : rnd.nextInt(50);
          case INT64 -> rnd.nextLong();
          case FLOAT -> (float) rnd.nextDouble();
          case DOUBLE -> rnd.nextInt(4) == 0 ? 1.5 : rnd.nextDouble();
          case STRING -> "é-" + Long.toString(rnd.nextLong(), 36).repeat(1 + rnd.nextInt(6));
          case DATE -> LocalDate.ofEpochDay(rnd.nextInt(20_000));
          case TIMESTAMP -> Instant.ofEpochSecond(rnd.nextInt(2_000_000_000), rnd.nextInt(1_000_000) * 1000L);
          case BINARY -> new byte[] {(byte) r.intValue(), (byte) rnd.nextInt(), 0};
        };
      }
      return v;
    };
    List<Object[]> rows = new ArrayList<>();
    for (int r = 0; r < 130_000; r++) rows.add(row.apply(r));
    assertSameBytes(cols, rows, 55_000, 3);
  }

  /** A pivot-like table: thousands of small-integer columns, row groups of a few hundred rows, blocks cut inside. */
  @Test
  void writingByColumnGivesTheRecordWritersBytesForAWideTable() throws Exception {
    List<TableShape.Out> cols = new ArrayList<>();
    cols.add(new TableShape.Out("dguid", TableShape.Type.STRING, 0, null, 0));
    for (int i = 1; i <= 3_000; i++) {
      cols.add(new TableShape.Out("count_" + i, i % 3 == 0 ? TableShape.Type.INT16 : TableShape.Type.INT32, i, null, 0));
    }
    SplittableRandom rnd = new SplittableRandom(11);
    List<Object[]> rows = new ArrayList<>();
    for (int r = 0; r < 900; r++) {
      Object[] v = new Object[cols.size()];
      v[0] = String.format("2021A%09d", r);
      for (int i = 1; i < v.length; i++) {
        int p = rnd.nextInt(8);
        v[i] = p == 0 ? null : i % 3 == 0 ? rnd.nextInt(-3000, 3000) : rnd.nextInt(p * 1000);
      }
      rows.add(v);
    }
    assertSameBytes(cols, rows, 400, 3);
  }

  private void assertSameBytes(List<TableShape.Out> cols, List<Object[]> rows, int groupRows, int groups)
      throws Exception {
    Path byRecord = tmp.resolve("by-record.parquet");
    Path byColumn = tmp.resolve("by-column.parquet");
    try (TableParquetWriter w = new TableParquetWriter(byRecord, cols, groupRows, 3, false)) {
      for (Object[] r : rows) w.write(r);
    }
    try (TableParquetWriter w = new TableParquetWriter(byColumn, cols, groupRows, 3, true)) {
      assertThat("parquet-java's internals as expected", w.writesByColumn(), is(true));
      for (Object[] r : rows) w.write(r);
    }
    List<BlockMetaData> blocks = ParquetFooters.read(byColumn).getBlocks();
    assertThat(blocks.size(), is(groups));
    assertThat(blocks.stream().mapToLong(BlockMetaData::getRowCount).sum(), is((long) rows.size()));
    byte[] a = Files.readAllBytes(byRecord);
    byte[] b = Files.readAllBytes(byColumn);
    assertThat(a.length, greaterThan(1000));
    assertThat("first differing byte at " + Arrays.mismatch(a, b), Arrays.equals(a, b), is(true));
  }
}
