package org.d4c.transforms.read;

import java.io.Serializable;
import java.util.List;
import org.d4c.transforms.feature.FeatureSchema;

/**
 * What the planner learnt about a source layer before the pipeline starts.
 *
 * @param source the source
 * @param layerName the layer actually read
 * @param driver the GDAL driver short name
 * @param schema the attribute fields as d4c types, with the source field names
 * @param ogrFieldTypes OGR field type per schema field (for reading)
 * @param srsWkt the layer CRS as WKT2, or null when the layer has none
 * @param geometryType the declared OGR geometry type name
 * @param featureCount features that pass the filter
 * @param splits the parts to read in parallel
 * @param extent the layer's extent as its driver reports it (minx, miny, maxx, maxy), or null when unknown
 */
public record OgrLayerInfo(OgrSource source, String layerName, String driver, FeatureSchema schema,
    List<Integer> ogrFieldTypes, String srsWkt, String geometryType, long featureCount, List<OgrSplit> splits, double[] extent)
    implements Serializable {}
