package org.d4c.transforms.read;

import org.gdal.ogr.FeatureDefn;
import org.gdal.ogr.FieldDefn;
import org.gdal.ogr.ogr;

/**
 * Reads fields that d4c keeps as text but OGR does not store as a string (lists, times) as exact UTF-8. GDAL's
 * Java {@code GetFieldAsString} mangles characters outside the Basic Multilingual Plane, so the feature is copied
 * into a scratch feature whose fields are all strings, and the bytes of those are decoded strictly.
 */
final class TextFields {
  private static final TextFields NONE = new TextFields(null, null, null);
  private final boolean[] text;
  private final FeatureDefn scratchDefn;
  private final int[] map;
  private org.gdal.ogr.Feature scratch;
  private org.gdal.ogr.Feature copiedFrom;

  private TextFields(boolean[] text, FeatureDefn scratchDefn, int[] map) {
    this.text = text;
    this.scratchDefn = scratchDefn;
    this.map = map;
  }

  static TextFields of(OgrLayerInfo info) {
    int n = info.ogrFieldTypes().size();
    boolean[] text = new boolean[n];
    boolean any = false;
    for (int i = 0; i < n; i++) {
      int t = info.ogrFieldTypes().get(i);
      text[i] = t != ogr.OFTString && OgrLayers.fieldType(t, 0) == org.d4c.transforms.feature.FieldType.STRING;
      any |= text[i];
    }
    if (!any) {
      return NONE;
    }
    FeatureDefn defn = new FeatureDefn();
    int[] map = new int[n];
    for (int i = 0; i < n; i++) {
      defn.AddFieldDefn(new FieldDefn("f" + i, ogr.OFTString));
      map[i] = i;
    }
    return new TextFields(text, defn, map);
  }

  boolean isText(int i) {
    return text != null && text[i];
  }

  String value(org.gdal.ogr.Feature f, int i) {
    if (!f.IsFieldSetAndNotNull(i)) {
      return null;
    }
    if (scratch == null) {
      scratch = new org.gdal.ogr.Feature(scratchDefn);
    }
    if (copiedFrom != f) {
      scratch.SetFromWithMap(f, 1, map);
      copiedFrom = f;
    }
    return ReadOgr.SplitReader.utf8(scratch.GetFieldAsBinary(i));
  }

  void delete() {
    if (scratch != null) {
      scratch.delete();
      scratch = null;
    }
  }
}
