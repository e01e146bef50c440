package org.d4c.transforms.read;

import org.gdal.gdal.gdal;
import org.gdal.ogr.ogr;

/** Starts GDAL once per JVM: drivers registered, errors raised as Java exceptions. */
public final class Gdal {
  private static volatile boolean started;

  private Gdal() {}

  public static void start() {
    if (started) {
      return;
    }
    synchronized (Gdal.class) {
      if (started) {
        return;
      }
      try {
        gdal.AllRegister();
        ogr.RegisterAll();
      } catch (UnsatisfiedLinkError e) {
        throw new IllegalStateException("the GDAL Java library (libgdalalljni.so) is not loaded: run environments/gdal-java.sh"
            + " and start Java with -Djava.library.path=<the folder it prints> (the ./d4c launcher does both); on a Flink"
            + " TaskManager, also put gdal-<version>.jar in Flink's lib/ folder (README, \"What a real Flink cluster needs\")", e);
      }
      gdal.UseExceptions();
      ogr.UseExceptions();
      org.gdal.osr.osr.UseExceptions();
      // Never read sidecar files from the network or guess encodings from the locale.
      gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
      gdal.SetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", "none");
      // A coordinate outside a projection's domain must fail, not land somewhere plausible (PROJ checks by
      // transforming back); the failure becomes a reprojection reject.
      gdal.SetConfigOption("CHECK_WITH_INVERT_PROJ", "YES");
      started = true;
    }
  }

  /** The version of the GDAL library in use, e.g. "3.6.2". */
  public static String version() {
    start();
    return gdal.VersionInfo("RELEASE_NAME");
  }
}
