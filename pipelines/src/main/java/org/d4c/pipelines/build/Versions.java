package org.d4c.pipelines.build;

import java.util.TreeMap;
import org.d4c.transforms.read.Gdal;

/** Versions of the software that shapes output bytes, recorded in every manifest. */
public final class Versions {
  private Versions() {}

  public static String d4c() {
    return org.d4c.core.D4cVersion.get();
  }

  /** Software name to version, sorted by name. */
  public static TreeMap<String, String> software() {
    TreeMap<String, String> v = new TreeMap<>();
    v.put("d4c", d4c());
    v.put("java", System.getProperty("java.version"));
    v.put("gdal", Gdal.version());
    v.put("proj", proj());
    v.put("beam", org.apache.beam.sdk.util.ReleaseInfo.getReleaseInfo().getVersion());
    v.put("parquet-java", org.apache.parquet.Version.VERSION_NUMBER);
    v.put("jts", org.locationtech.jts.JTSVersion.CURRENT_VERSION.toString());
    return v;
  }

  private static String proj() {
    String info = org.gdal.gdal.gdal.VersionInfo("BUILD_INFO");
    for (String line : info.split("\n")) {
      if (line.startsWith("PROJ_RUNTIME_VERSION=")) {
        return line.substring("PROJ_RUNTIME_VERSION=".length()).trim();
      }
    }
    return "unknown";
  }
}
