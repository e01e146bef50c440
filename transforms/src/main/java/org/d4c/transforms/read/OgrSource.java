package org.d4c.transforms.read;

import java.io.Serializable;
import java.util.List;

/**
 * One layer of a vector dataset that GDAL/OGR can open.
 *
 * @param index the position of the source in its recipe, the first part of the stable tie-breaker of the sort
 * @param id the source id (for messages)
 * @param datasetName what GDAL opens: a file path, or a {@code /vsizip/} path into an archive
 * @param layer the layer name, or null for the first layer
 * @param where an OGR SQL attribute filter, or null
 * @param openOptions GDAL open options (KEY=VALUE)
 */
public record OgrSource(int index, String id, String datasetName, String layer, String where, List<String> openOptions)
    implements Serializable {
  public OgrSource {
    openOptions = openOptions == null ? List.of() : List.copyOf(openOptions);
  }
}
