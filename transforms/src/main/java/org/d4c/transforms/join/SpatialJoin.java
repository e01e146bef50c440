package org.d4c.transforms.join;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTagList;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.steps.StepOutputs;
import org.d4c.transforms.table.Column;
import org.d4c.transforms.table.TableSchema;
import org.d4c.transforms.table.Values;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * Adds the fields of the right-side feature whose geometry relates to each row's geometry ({@code intersects},
 * {@code within}: the row lies within it, {@code contains}: the row contains it). The right side (boundaries, usually
 * a few thousand polygons) is a side input that every worker indexes once in a JTS STR-tree of prepared geometries;
 * candidates from the index are tested exactly. When several match, {@code first} takes the first in data order,
 * {@code largest_overlap} the one sharing the largest area with the row (ties: first in data order).
 */
public final class SpatialJoin extends PTransform<PCollection<Feature>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public enum Predicate { INTERSECTS, WITHIN, CONTAINS }

  private final String label;
  private final transient PCollection<Feature> right;
  private final String rightName;
  private final int[] keep;
  private final Predicate predicate;
  private final boolean inner;
  private final boolean largestOverlap;
  private final TableSchema output;

  private SpatialJoin(String label, PCollection<Feature> right, String rightName, int[] keep, Predicate predicate,
      boolean inner, boolean largestOverlap, TableSchema output) {
    this.label = label;
    this.right = right;
    this.rightName = rightName;
    this.keep = keep;
    this.predicate = predicate;
    this.inner = inner;
    this.largestOverlap = largestOverlap;
    this.output = output;
  }

  public static SpatialJoin of(String label, TableSchema left, PCollection<Feature> right, String rightName,
      TableSchema rightSchema, Predicate predicate, List<String> select, String prefix, boolean inner,
      boolean largestOverlap) {
    if (!left.hasGeometry()) throw new IllegalArgumentException("a spatial join needs rows with geometries");
    if (!rightSchema.hasGeometry()) {
      throw new IllegalArgumentException("'" + rightName + "' has no geometries to join with");
    }
    List<String> names = new ArrayList<>(select);
    if (names.isEmpty()) {
      for (Column c : rightSchema.columns()) if (!c.isPivot()) names.add(c.name());
    }
    int[] keep;
    try {
      keep = rightSchema.require(names);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("in '" + rightName + "': " + e.getMessage());
    }
    List<Column> added = new ArrayList<>();
    for (int i : keep) added.add(rightSchema.column(i).renamed((prefix == null ? "" : prefix) + rightSchema.column(i).name()));
    return new SpatialJoin(label, right, rightName, keep, predicate, inner, largestOverlap, left.plus(added));
  }

  public TableSchema outputSchema() {
    return output;
  }

  @Override
  public PCollectionTuple expand(PCollection<Feature> input) {
    int[] k = keep;
    PCollectionView<List<Feature>> side = right
        .apply("Fields and geometry of " + rightName, ParDo.of(new DoFn<Feature, Feature>() {
          @ProcessElement
          public void process(@Element Feature f, OutputReceiver<Feature> out) {
            Object[] v = new Object[k.length];
            for (int i = 0; i < k.length; i++) v[i] = f.value(k[i]);
            out.output(new Feature(f.source(), f.fid(), f.geometry(), v));
          }
        })).setCoder(FeatureCoder.of())
        .apply("Index " + rightName, View.asList());
    return StepOutputs.coded(input.apply("Match geometries", ParDo.of(
        new MatchFn(label, side, predicate, inner, largestOverlap, keep.length)).withSideInputs(side)
        .withOutputTags(StepOutputs.ROWS, TupleTagList.of(StepOutputs.REJECTS))));
  }

  record Item(Feature feature, PreparedGeometry prepared) {}

  static final class MatchFn extends DoFn<Feature, Feature> {
    private static final long serialVersionUID = 1L;
    private final String label;
    private final PCollectionView<List<Feature>> side;
    private final Predicate predicate;
    private final boolean inner;
    private final boolean largestOverlap;
    private final int added;
    private transient STRtree tree;
    private transient List<Feature> indexed;

    MatchFn(String label, PCollectionView<List<Feature>> side, Predicate predicate, boolean inner,
        boolean largestOverlap, int added) {
      this.label = label;
      this.side = side;
      this.predicate = predicate;
      this.inner = inner;
      this.largestOverlap = largestOverlap;
      this.added = added;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      List<Feature> all = c.sideInput(side);
      if (indexed != all) {
        STRtree t = new STRtree();
        for (Feature f : all) {
          t.insert(f.geometry().getEnvelopeInternal(), new Item(f, PreparedGeometryFactory.prepare(f.geometry())));
        }
        t.build();
        tree = t;
        indexed = all;
      }
      Feature row = c.element();
      Geometry g = row.geometry();
      Feature best = null;
      double bestArea = -1;
      try {
        @SuppressWarnings("unchecked")
        List<Item> candidates = tree.query(g.getEnvelopeInternal());
        for (Item it : candidates) {
          boolean match = switch (predicate) {
            case INTERSECTS -> it.prepared().intersects(g);
            case WITHIN -> it.prepared().covers(g);
            case CONTAINS -> g.covers(it.feature().geometry());
          };
          if (!match) continue;
          double area = largestOverlap && g.getDimension() == 2 ? g.intersection(it.feature().geometry()).getArea() : 0;
          if (best == null || area > bestArea
              || (area == bestArea && Values.DATA_ORDER.compare(it.feature(), best) < 0)) {
            best = it.feature();
            bestArea = area;
          }
        }
      } catch (RuntimeException e) {
        c.output(StepOutputs.REJECTS, StepOutputs.reject(label, row, "spatial_join_failed", String.valueOf(e.getMessage())));
        return;
      }
      if (best == null && inner) return;
      c.output(Join.extend(row, best, added));
    }
  }
}
