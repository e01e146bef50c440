package org.d4c.transforms.geometry;

import java.util.Vector;
import org.d4c.transforms.read.Gdal;
import org.gdal.osr.SpatialReference;
import org.gdal.osr.osrConstants;

/** Coordinate reference systems through GDAL/PROJ, always in x = easting/longitude, y = northing/latitude order. */
public final class Crs {
  /** The default output CRS of d4c and of GeoParquet. */
  public static final String CRS84 = "OGC:CRS84";

  private Crs() {}

  /** A CRS from "EPSG:3347", "OGC:CRS84", WKT or PROJJSON, with traditional GIS axis order. */
  public static SpatialReference parse(String definition) {
    Gdal.start();
    SpatialReference srs = new SpatialReference();
    try {
      srs.SetFromUserInput(definition);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unknown CRS '" + abbreviate(definition) + "': " + e.getMessage(), e);
    }
    srs.SetAxisMappingStrategy(osrConstants.OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
  }

  /** True when coordinates need no change between the two (axis order aside, which traditional order takes care of). */
  public static boolean sameExceptAxisOrder(SpatialReference a, SpatialReference b) {
    Vector<String> options = new Vector<>();
    options.add("CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS");
    options.add("IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES");
    return a.IsSame(b, options) == 1;
  }

  /** PROJJSON of a CRS, or null for OGC:CRS84, which GeoParquet says to leave implicit. */
  public static String projJsonOrNull(String definition) {
    SpatialReference srs = parse(definition);
    if (sameExceptAxisOrder(srs, parse(CRS84)) && srs.EPSGTreatsAsLatLong() == 0) {
      return null;
    }
    String[] out = new String[1];
    srs.ExportToPROJJSON(out);
    return out[0];
  }

  static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
