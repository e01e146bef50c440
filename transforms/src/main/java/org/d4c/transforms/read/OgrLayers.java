package org.d4c.transforms.read;

import java.util.ArrayList;
import java.util.List;
import java.util.Vector;
import org.d4c.transforms.feature.FeatureSchema;
import org.d4c.transforms.feature.Field;
import org.d4c.transforms.feature.FieldType;
import org.gdal.gdal.Dataset;
import org.gdal.gdal.gdal;
import org.gdal.gdalconst.gdalconst;
import org.gdal.ogr.FieldDefn;
import org.gdal.ogr.Layer;
import org.gdal.ogr.ogr;
import org.gdal.osr.SpatialReference;

/** Opens a source layer before the pipeline runs: checks it, maps its fields and plans the parallel read. */
public final class OgrLayers {
  private OgrLayers() {}

  /** Opens a source for reading, with a message naming the source when GDAL cannot. */
  static Dataset open(OgrSource source) {
    Gdal.start();
    Vector<String> options = new Vector<>(source.openOptions());
    try {
      Dataset ds = gdal.OpenEx(source.datasetName(), gdalconst.OF_VECTOR | gdalconst.OF_READONLY, null, options);
      if (ds == null) {
        throw new OgrException(source, "GDAL cannot open it as a vector dataset: " + gdal.GetLastErrorMsg());
      }
      return ds;
    } catch (RuntimeException e) {
      if (e instanceof OgrException) {
        throw e;
      }
      throw new OgrException(source, "GDAL cannot open it (corrupt, truncated or not a vector format?): " + e.getMessage());
    }
  }

  static Layer layer(Dataset ds, OgrSource source) {
    if (source.layer() == null) {
      if (ds.GetLayerCount() == 0) {
        throw new OgrException(source, "the dataset has no layers");
      }
      return ds.GetLayerByIndex(0);
    }
    Layer layer = ds.GetLayerByName(source.layer());
    if (layer == null) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < ds.GetLayerCount(); i++) {
        names.add(ds.GetLayerByIndex(i).GetName());
      }
      throw new OgrException(source, "no layer named '" + source.layer() + "'; the dataset has " + names);
    }
    return layer;
  }

  static void applyFilter(Layer layer, OgrSource source, String extra) {
    String where = source.where();
    if (extra != null) {
      where = where == null ? extra : "(" + where + ") AND " + extra;
    }
    if (where != null) {
      try {
        layer.SetAttributeFilter(where);
      } catch (RuntimeException e) {
        throw new OgrException(source, "the attribute filter \"" + source.where() + "\" is not valid OGR SQL: " + e.getMessage());
      }
    }
  }

  /**
   * Describes a layer and plans its splits.
   *
   * @param featuresPerSplit how many features one worker reads at most (when the driver allows splitting)
   */
  public static OgrLayerInfo describe(OgrSource source, long featuresPerSplit) {
    Dataset ds = open(source);
    try {
      Layer layer = layer(ds, source);
      gdal.ErrorReset();
      applyFilter(layer, source, null);
      List<Field> fields = new ArrayList<>();
      List<Integer> ogrTypes = new ArrayList<>();
      var defn = layer.GetLayerDefn();
      for (int i = 0; i < defn.GetFieldCount(); i++) {
        FieldDefn fd = defn.GetFieldDefn(i);
        fields.add(new Field(fd.GetName(), fieldType(fd.GetFieldType(), fd.GetSubType())));
        ogrTypes.add(fd.GetFieldType());
      }
      String srsWkt = null;
      SpatialReference srs = layer.GetSpatialRef();
      if (srs != null) {
        srsWkt = srs.ExportToWkt();
      }
      long count = layer.GetFeatureCount(1);
      if (count < 0) {
        // Drivers that hand the filter to a database (GeoPackage, SQLite) only fail when it runs.
        throw new OgrException(source, (source.where() == null ? "counting features failed: "
            : "the attribute filter \"" + source.where() + "\" failed: ") + gdal.GetLastErrorMsg());
      }
      String driver = ds.GetDriver().getShortName();
      List<OgrSplit> splits = plan(ds, layer, source, driver, count, Math.max(1, featuresPerSplit));
      return new OgrLayerInfo(source, layer.GetName(), driver, FeatureSchema.ofSource(fields), ogrTypes, srsWkt,
          ogr.GeometryTypeToName(layer.GetGeomType()), count, splits, extent(layer));
    } finally {
      ds.delete();
    }
  }

  private static List<OgrSplit> plan(Dataset ds, Layer layer, OgrSource source, String driver, long count,
      long perSplit) {
    if (count <= perSplit) {
      return List.of(OgrSplit.all());
    }
    long parts = (count + perSplit - 1) / perSplit;
    String fidColumn = layer.GetFIDColumn();
    List<OgrSplit> splits = new ArrayList<>();
    if ((driver.equals("GPKG") || driver.equals("SQLite")) && fidColumn != null && !fidColumn.isEmpty()) {
      // The FID is the SQLite rowid: a range query on it is an index scan.
      Layer r = ds.ExecuteSQL("SELECT MIN(" + quote(fidColumn) + "), MAX(" + quote(fidColumn) + ") FROM "
          + quote(layer.GetName()));
      long min;
      long max;
      try {
        var f = r.GetNextFeature();
        min = f.GetFieldAsInteger64(0);
        max = f.GetFieldAsInteger64(1);
        f.delete();
      } finally {
        ds.ReleaseResultSet(r);
      }
      long width = Math.max(1, (max - min + parts) / parts);
      for (long lo = min; lo <= max; lo += width) {
        splits.add(new OgrSplit(OgrSplit.Kind.FID_RANGE, lo, Math.min(max + 1, lo + width)));
      }
      return splits;
    }
    if (layer.TestCapability(ogr.OLCFastSetNextByIndex) && source.where() == null) {
      for (long start = 0; start < count; start += perSplit) {
        splits.add(new OgrSplit(OgrSplit.Kind.INDEX_RANGE, start, Math.min(count, start + perSplit)));
      }
      return splits;
    }
    // Other drivers can only be read front to back; one worker reads them whole.
    return List.of(OgrSplit.all());
  }

  /** The layer extent (minx, miny, maxx, maxy) from the driver; a header value for most formats, so cheap. */
  private static double[] extent(Layer layer) {
    try {
      double[] e = layer.GetExtent(true);
      if (e == null || e.length < 4 || !(e[0] <= e[1]) || !(e[2] <= e[3])) {
        return null;
      }
      return new double[] {e[0], e[2], e[1], e[3]};
    } catch (RuntimeException e) {
      return null;
    }
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** d4c's type for an OGR field type and subtype; list and time types are kept as text. */
  static FieldType fieldType(int type, int subType) {
    if (type == ogr.OFTInteger) {
      return subType == ogr.OFSTBoolean ? FieldType.BOOLEAN : FieldType.INT32;
    } else if (type == ogr.OFTInteger64) {
      return FieldType.INT64;
    } else if (type == ogr.OFTReal) {
      return subType == ogr.OFSTFloat32 ? FieldType.FLOAT : FieldType.DOUBLE;
    } else if (type == ogr.OFTDate) {
      return FieldType.DATE;
    } else if (type == ogr.OFTDateTime) {
      return FieldType.TIMESTAMP;
    } else if (type == ogr.OFTBinary) {
      return FieldType.BINARY;
    }
    return FieldType.STRING;
  }
}
