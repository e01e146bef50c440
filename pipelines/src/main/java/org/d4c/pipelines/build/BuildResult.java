package org.d4c.pipelines.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.d4c.manifests.lock.Manifest;
import org.d4c.manifests.lock.Manifests;
import org.d4c.geoparquet.ParquetFooters;

/** A finished build: its manifest and the folder it is in. */
public record BuildResult(Manifest manifest, Path folder) {

  BuildResult at(Path newFolder) {
    return new BuildResult(manifest, newFolder);
  }

  public Path manifestFile() {
    return folder.resolve(Manifests.FILE_NAME);
  }

  /** A few lines for people: where the files are, rows, bbox, size and sha256 of each. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append("Built ").append(manifest.dataset()).append(' ').append(manifest.version()).append(" into ").append(folder)
        .append('\n');
    for (Manifest.OutputFile o : manifest.outputs()) {
      s.append(String.format(Locale.ROOT, "  %-28s %,10d rows %,12d bytes  sha256 %s%n", o.path(), o.rows(), o.size(),
          o.sha256()));
      if (o.role().equals(Manifest.OutputFile.DATA)) {
        String bbox = bbox(folder.resolve(o.path()));
        if (bbox != null) {
          s.append("  ").append(" ".repeat(28)).append(" bbox ").append(bbox).append('\n');
        }
      }
      if (o.steps() != null) {
        for (Manifest.StepCount c : o.steps()) {
          s.append(String.format(Locale.ROOT, "    %-26s %,10d rows in %,10d out %,8d rejected%n", c.step(), c.rowsIn(),
              c.rowsOut(), c.rejected()));
        }
      }
    }
    s.append("  rejected records: ").append(manifest.rejects().total());
    if (manifest.rejects().total() > 0) {
      s.append(' ').append(manifest.rejects().byReason());
    }
    s.append('\n').append("  manifest: ").append(manifestFile()).append('\n');
    s.append("  code: ").append(manifest.resolvedDependencies().code().commit())
        .append(manifest.resolvedDependencies().code().dirty() ? " (uncommitted changes)" : "");
    return s.toString();
  }

  private static String bbox(Path parquet) {
    try {
      String geo = ParquetFooters.geoMetadata(parquet);
      if (geo == null) {
        return null;
      }
      JsonNode b = new ObjectMapper().readTree(geo).path("columns").path("geometry").path("bbox");
      if (!b.isArray() || b.size() != 4) {
        return null;
      }
      return String.format(Locale.ROOT, "[%.4f, %.4f, %.4f, %.4f]", b.get(0).asDouble(), b.get(1).asDouble(),
          b.get(2).asDouble(), b.get(3).asDouble());
    } catch (IOException e) {
      return null;
    }
  }
}
