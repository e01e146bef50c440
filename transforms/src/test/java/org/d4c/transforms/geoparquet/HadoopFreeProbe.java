package org.d4c.transforms.geoparquet;

import org.d4c.geoparquet.ParquetFooters;
import java.nio.file.Path;

/** Loaded by {@link HadoopFreeTest} in a class loader without Hadoop: writes the fixture and reads its footer. */
public final class HadoopFreeProbe {
  private HadoopFreeProbe() {}

  public static String run(String file, boolean nativeGeometry) throws Exception {
    TestFeatures.write(Path.of(file), GeoParquetOptions.DEFAULTS.withRowGroupRows(2).withNativeGeometryType(nativeGeometry));
    return ParquetFooters.geoMetadata(Path.of(file));
  }
}
