package org.d4c.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.schema.MessageType;
import org.d4c.core.json.CanonicalJson;
import org.locationtech.jts.algorithm.ConvexHull;
import org.locationtech.jts.densify.Densifier;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.operation.buffer.BufferOp;
import org.locationtech.jts.operation.buffer.BufferParameters;
import org.locationtech.jts.simplify.DouglasPeuckerSimplifier;
import org.locationtech.proj4j.CRSFactory;
import org.locationtech.proj4j.CoordinateReferenceSystem;
import org.locationtech.proj4j.CoordinateTransform;
import org.locationtech.proj4j.CoordinateTransformFactory;
import org.locationtech.proj4j.ProjCoordinate;

/**
 * The footprint of a dataset version in OGC:CRS84: the convex hull of every row's bbox (read from the GeoParquet 1.1
 * {@code bbox} covering columns, so no geometry is decoded), simplified to at most {@link #MAX_VERTICES} vertices in a
 * way that still contains all the data. Outputs in a projected CRS are reprojected with proj4j (EPSG codes), their
 * hull densified first so the curved edges stay inside. The same files always give the same geometry.
 */
final class Footprint {
  static final int MAX_VERTICES = 32;
  private static final int HULL_BATCH = 1 << 18;
  private static final GeometryFactory GF = GeoJson.factory();

  private Footprint() {}

  /**
   * @param files the GeoParquet data files of the build
   * @param crs the build's output CRS as in the manifest parameters ("OGC:CRS84", "EPSG:4326", "EPSG:3347", ...)
   * @return the footprint, or null when every file is a plain Parquet table (no spatial output)
   */
  static Geometry of(List<Path> files, String crs) {
    List<Coordinate> hull = new ArrayList<>();
    long rows = 0;
    int spatial = 0;
    for (Path f : files) {
      // A plain Parquet table (geometry: none) has no bbox; the spatial outputs of the build make the footprint.
      if (isTable(f)) continue;
      spatial++;
      rows += corners(f, hull);
    }
    if (spatial == 0) return null; // only tables: the item's geometry is the declared footprint, or null
    if (rows == 0 || hull.isEmpty()) {
      throw new CatalogException(null, "the data files have no rows: an item needs a footprint");
    }
    Geometry g = hull(hull);
    if (!isLonLat(crs)) g = toLonLat(g, crs);
    return simplify(clampToWorld(g));
  }

  /**
   * The box a recipe declares as {@code footprint.bbox} [west, south, east, north] (OGC:CRS84), as a polygon; null
   * when it declares none. The recipe was checked when it was loaded; a manifest edited by hand is checked again here.
   */
  static Geometry declared(JsonNode recipe, String where) {
    JsonNode b = recipe.path("footprint").path("bbox");
    if (b.isMissingNode()) return null;
    if (!b.isArray() || b.size() != 4 || !b.get(0).isNumber() || !b.get(1).isNumber() || !b.get(2).isNumber()
        || !b.get(3).isNumber()) {
      throw new CatalogException(where, "recipe.footprint.bbox: expected four numbers [west, south, east, north], got " + b);
    }
    double w = b.get(0).doubleValue(), s = b.get(1).doubleValue(), e = b.get(2).doubleValue(), n = b.get(3).doubleValue();
    if (!(w >= -180 && w < e && e <= 180 && s >= -90 && s < n && n <= 90)) {
      throw new CatalogException(where, "recipe.footprint.bbox: expected west < east in -180..180 and south < north in"
          + " -90..90 (OGC:CRS84 degrees), got " + b);
    }
    // Counter-clockwise, as RFC 7946 asks of an exterior ring.
    return GF.createPolygon(new Coordinate[] {
        new Coordinate(w, s), new Coordinate(e, s), new Coordinate(e, n), new Coordinate(w, n), new Coordinate(w, s)});
  }

  /** True for a Parquet file without {@code geo} metadata. */
  static boolean isTable(Path file) {
    try (ParquetPages p = ParquetPages.open(file)) {
      return !p.keyValueMetadata().containsKey("geo");
    } catch (java.io.IOException | RuntimeException e) {
      return false; // let corners() report what is wrong with it
    }
  }

  static boolean isLonLat(String crs) {
    return crs == null || crs.equalsIgnoreCase("OGC:CRS84") || crs.equalsIgnoreCase("EPSG:4326")
        || crs.equalsIgnoreCase("WGS84") || crs.equalsIgnoreCase("urn:ogc:def:crs:OGC:1.3:CRS84");
  }

  /** Adds the hull of every row bbox of one file to {@code acc}; returns the row count. */
  private static long corners(Path file, List<Coordinate> acc) {
    try (ParquetPages p = ParquetPages.open(file)) {
      JsonNode geo = CanonicalJson.mapper().readTree(p.keyValueMetadata().getOrDefault("geo", "null"));
      if (geo == null || !geo.isObject()) throw new CatalogException(file.toString(), "not GeoParquet: no \"geo\" metadata");
      String primary = geo.path("primary_column").asText("geometry");
      JsonNode col = geo.path("columns").path(primary);
      JsonNode covering = col.path("covering").path("bbox");
      MessageType schema = p.schema();
      long rows = 0;
      for (var b : p.rowGroups()) rows += b.getRowCount();
      if (!covering.isObject()) { // no covering: the file's bbox is all there is
        JsonNode bb = col.path("bbox");
        if (bb.size() < 4) throw new CatalogException(file.toString(), "geo metadata has neither a bbox covering nor a bbox");
        int n = bb.size() / 2;
        addBox(acc, bb.get(0).doubleValue(), bb.get(1).doubleValue(), bb.get(n).doubleValue(), bb.get(n + 1).doubleValue());
        return rows;
      }
      List<ColumnDescriptor> cols = new ArrayList<>();
      for (String f : ItemColumns.BBOX_FIELDS) {
        String[] path = new String[covering.path(f).size()];
        for (int i = 0; i < path.length; i++) path[i] = covering.path(f).get(i).asText();
        cols.add(schema.getColumnDescription(path));
      }
      for (int g = 0; g < p.rowGroups().size(); g++) {
        PageReadStore pages = p.rowGroup(g, cols);
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages, new GroupRecordConverter(schema).getRootConverter(),
            schema, p.createdBy());
        int n = (int) pages.getRowCount();
        double[][] v = new double[4][n];
        boolean[] present = new boolean[n];
        Arrays.fill(present, true);
        for (int c = 0; c < 4; c++) {
          ColumnReader r = store.getColumnReader(cols.get(c));
          int max = cols.get(c).getMaxDefinitionLevel();
          for (int i = 0; i < n; i++) {
            if (r.getCurrentDefinitionLevel() == max) v[c][i] = number(r, cols.get(c));
            else present[i] = false;
            r.consume();
          }
        }
        for (int i = 0; i < n; i++) {
          if (present[i]) addBox(acc, v[0][i], v[1][i], v[2][i], v[3][i]);
          if (acc.size() > HULL_BATCH) {
            List<Coordinate> h = Arrays.asList(hull(acc).getCoordinates());
            acc.clear();
            acc.addAll(h);
          }
        }
      }
      return rows;
    } catch (IOException | RuntimeException e) {
      if (e instanceof CatalogException c) throw c;
      throw new CatalogException(file.toString(), "cannot read the bbox columns: " + e.getMessage(), e);
    }
  }

  private static double number(ColumnReader r, ColumnDescriptor d) {
    return switch (d.getPrimitiveType().getPrimitiveTypeName()) {
      case DOUBLE -> r.getDouble();
      case FLOAT -> r.getFloat();
      default -> throw new IllegalArgumentException("bbox column " + String.join(".", d.getPath()) + " is not a float or double");
    };
  }

  private static void addBox(List<Coordinate> acc, double xmin, double ymin, double xmax, double ymax) {
    acc.add(new Coordinate(xmin, ymin));
    acc.add(new Coordinate(xmax, ymin));
    acc.add(new Coordinate(xmax, ymax));
    acc.add(new Coordinate(xmin, ymax));
  }

  private static Geometry hull(List<Coordinate> cs) {
    return new ConvexHull(cs.toArray(Coordinate[]::new), GF).getConvexHull();
  }

  private static Geometry toLonLat(Geometry g, String crs) {
    CoordinateTransform t;
    try {
      CRSFactory f = new CRSFactory();
      CoordinateReferenceSystem src = f.createFromName(crs);
      CoordinateReferenceSystem dst = f.createFromName("EPSG:4326");
      t = new CoordinateTransformFactory().createTransform(src, dst);
    } catch (RuntimeException e) {
      throw new CatalogException(null, "cannot reproject the footprint from " + crs + " to OGC:CRS84: " + e.getMessage());
    }
    Envelope env = g.getEnvelopeInternal();
    double step = Math.max(env.getWidth(), env.getHeight()) / 64;
    Geometry dense = step > 0 ? Densifier.densify(g, step) : g;
    List<Coordinate> out = new ArrayList<>();
    for (Coordinate c : dense.getCoordinates()) {
      ProjCoordinate p = t.transform(new ProjCoordinate(c.x, c.y), new ProjCoordinate());
      out.add(new Coordinate(p.x, p.y));
    }
    return hull(out);
  }

  private static Geometry clampToWorld(Geometry g) {
    Envelope world = new Envelope(-180, 180, -90, 90);
    return world.contains(g.getEnvelopeInternal()) ? g : g.intersection(GF.toGeometry(world));
  }

  /** Fewer vertices, still containing the input: simplify by t, grow by t (mitred), take the hull again. */
  static Geometry simplify(Geometry g) {
    if (g.getNumPoints() <= MAX_VERTICES + 1) return g;
    Envelope e = g.getEnvelopeInternal();
    double diagonal = Math.hypot(e.getWidth(), e.getHeight());
    for (double f = 0.002; ; f *= 2) {
      double t = diagonal * f;
      Geometry s = DouglasPeuckerSimplifier.simplify(g, t);
      Geometry grown = BufferOp.bufferOp(s, t,
          new BufferParameters(1, BufferParameters.CAP_FLAT, BufferParameters.JOIN_MITRE, 10)).convexHull();
      Geometry out = clampToWorld(grown);
      if (out.getNumPoints() <= MAX_VERTICES + 1 && out.covers(g)) return out;
      if (f > 0.5) return GF.toGeometry(g.getEnvelopeInternal());
    }
  }
}
