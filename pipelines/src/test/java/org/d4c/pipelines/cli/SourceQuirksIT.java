package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.d4c.geoparquet.ParquetFooters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources that build, but used to build wrong or not at all: an attribute named like the output's geometry or bbox
 * column, a polygon with a NaN vertex, a shapefile zip without its .dbf. Fixtures written with ogr2ogr.
 */
class SourceQuirksIT {
  @TempDir static Path tmp;
  static Path data;
  static Path cache;

  static final String HEAD = """
      dataset: quirks
      version: 1.0.0
      title: Quirks
      license: CC0-1.0
      max_reject_fraction: 0.5
      """;

  @BeforeAll
  static void setUp() throws Exception {
    Fixtures.useStableHome();
    data = Files.createDirectories(tmp.resolve("data"));
    cache = tmp.resolve("cache");
  }

  @AfterAll
  static void restoreHome() {
    Fixtures.restoreHome();
  }

  static Fixtures.Run build(String name, String yaml, Path out) throws IOException {
    Path recipe = Fixtures.lock(Fixtures.recipe(data.resolve(name + ".yaml"), HEAD + yaml), cache);
    return d4c("build", recipe.toString(), "--out", out.toString(), "--cache", cache.toString(), "--parallelism", "2");
  }

  static List<String> columns(Path parquet) throws IOException {
    return ParquetFooters.read(parquet).getFileMetaData().getSchema().getFields().stream().map(f -> f.getName()).toList();
  }

  @Test
  void anAttributeNamedGeometryOrBboxBuildsWhenTheRecipeRenamesOrDropsIt() throws Exception {
    List<com.fasterxml.jackson.databind.node.ObjectNode> features = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("nom", Fixtures.NAMES.get(i));
      p.put("geometry", i % 2 == 0 ? "polygon" : "point");
      p.put("bbox", "-76,45,-75,46");
      features.add(Fixtures.feature(Fixtures.point(-75 + i, 45), p));
    }
    Fixtures.geoPackage(data.resolve("named.gpkg"), Map.of("named", features));
    String source = """
        sources:
          - id: src
            urls: [named.gpkg]
        """;

    Fixtures.Run clash = build("clash", source, tmp.resolve("clash"));
    assertThat(clash.toString(), clash.exitCode(), is(2));
    assertThat(clash.err(), allOf(containsString("'geometry' clashes"), containsString("rename")));

    Path out = tmp.resolve("renamed");
    Fixtures.Run r = build("renamed", source + """
        outputs:
          - name: places
            source: src
            select: [nom, geometry]
            rename: {geometry: kind}
        """, out);
    assertThat(r.toString(), r.exitCode(), is(0));
    assertThat(columns(out.resolve("places.parquet")), contains("nom", "kind", "geometry", "bbox"));
  }

  @Test
  void aPolygonWithANanVertexIsRejectedWithAReason() throws Exception {
    // JSON has no NaN, but GDAL's GeoJSON reader takes the token, and ogr2ogr keeps it in the GeoPackage.
    Path json = Files.writeString(data.resolve("nan.geojson"), """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "properties": {"n": 1}, "geometry": {"type": "Polygon",
            "coordinates": [[[-75, 45], [-74, 45], [NaN, 46], [-75, 46], [-75, 45]]]}},
          {"type": "Feature", "properties": {"n": 2}, "geometry": {"type": "Polygon",
            "coordinates": [[[-75, 45], [-74, 45], [-74, 46], [-75, 46], [-75, 45]]]}}]}
        """);
    Fixtures.ogr2ogr("-f", "GPKG", data.resolve("nan.gpkg").toString(), json.toString(), "-nln", "nan", "-a_srs", "EPSG:4326");
    Path out = tmp.resolve("nan");
    Fixtures.Run r = build("nan", """
        sources:
          - id: src
            urls: [nan.gpkg]
        """, out);
    assertThat(r.toString(), r.exitCode(), is(0));
    List<String> rejects = Files.readAllLines(out.resolve("rejects.jsonl"), StandardCharsets.UTF_8);
    assertThat(rejects.toString(), rejects.size(), is(1));
    JsonNode reject = Fixtures.JSON.readTree(rejects.get(0));
    assertThat(reject.path("fid").asLong(), is(1L));
    assertThat(reject.path("reason").asText(), is("invalid_geometry"));
    assertThat(reject.path("detail").asText(), containsString("vertex 3 of 5 has a coordinate that is not a finite number (NaN"));
    JsonNode manifest = Fixtures.readJson(out.resolve("manifest.json"));
    assertThat(manifest.path("rejects").path("by_reason").path("invalid_geometry").asLong(), is(1L));
  }

  @Test
  void aShapefileZipWithoutItsDbfWarnsAndTheManifestCountsIt() throws Exception {
    Path shp = Files.createDirectories(tmp.resolve("shp"));
    Path json = Fixtures.writeGeoJson(shp.resolve("in.geojson"), Fixtures.places(5, 9, 0));
    Fixtures.ogr2ogr("-f", "ESRI Shapefile", shp.resolve("towns.shp").toString(), json.toString(), "-lco", "ENCODING=UTF-8");
    Path zip = data.resolve("towns.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (String ext : List.of("shp", "shx", "prj", "cpg")) { // no .dbf
        z.putNextEntry(new ZipEntry("towns." + ext));
        z.write(Files.readAllBytes(shp.resolve("towns." + ext)));
        z.closeEntry();
      }
    }
    Path out = tmp.resolve("nodbf");
    Fixtures.Run r = build("nodbf", """
        sources:
          - id: src
            urls: [towns.zip]
        """, out);
    assertThat(r.toString(), r.exitCode(), is(0));
    String warning = "source 'src' (towns.zip: towns.shp): no towns.dbf beside it, so its features have no attributes";
    assertThat(r.err(), containsString("warning: " + warning));
    JsonNode warnings = Fixtures.readJson(out.resolve("manifest.json")).path("warnings");
    assertThat(warnings.toString(), warnings.size(), is(1));
    assertThat(warnings.get(0).asText(), containsString(warning));
    assertThat(columns(out.resolve("quirks.parquet")), not(hasItem("nom")));
  }
}
