package org.d4c.transforms.table;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

class TableParquetWriterTest {
  @Test
  void wideTablesGetFewerRowsPerRowGroupNarrowOnesTheConfiguredCount() {
    assertThat(TableParquetWriter.rowsPerGroup(100_000, 6), is(100_000));
    assertThat(TableParquetWriter.rowsPerGroup(100_000, 80), is(100_000));
    assertThat(TableParquetWriter.rowsPerGroup(100_000, 6_001), is(1_333));
    assertThat(TableParquetWriter.rowsPerGroup(100_000, 20_000_000), is(1));
    assertThat(TableParquetWriter.rowsPerGroup(500, 6_001), is(500));
  }
}
