package org.d4c.transforms.steps;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.d4c.transforms.feature.Feature;
import org.d4c.transforms.feature.FeatureCoder;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.rejects.RejectCoder;

/**
 * What every table step outputs: the rows that go on and the rejects (with the step's label in their detail), and the
 * Beam metrics that count rows into and out of a step ({@code d4c.steps} namespace, {@code LABEL in} and
 * {@code LABEL out}).
 */
public final class StepOutputs {
  public static final TupleTag<Feature> ROWS = new TupleTag<>() {};
  public static final TupleTag<Reject> REJECTS = new TupleTag<>() {};
  public static final String METRICS_NAMESPACE = "d4c.steps";

  private StepOutputs() {}

  /** Sets the coders of a step's outputs. */
  public static PCollectionTuple coded(PCollectionTuple t) {
    t.get(ROWS).setCoder(FeatureCoder.of());
    t.get(REJECTS).setCoder(RejectCoder.of());
    return t;
  }

  /** A reject of one row by a step. */
  public static Reject reject(String label, Feature f, String reason, String detail) {
    return new Reject(f.source(), f.fid(), reason, label + ": " + detail,
        f.geometry() == null ? null : shortWkt(f.geometry()));
  }

  static String shortWkt(org.locationtech.jts.geom.Geometry g) {
    String wkt = g.toText();
    return wkt.length() > 10_000 ? wkt.substring(0, 10_000) + "..." : wkt;
  }

  /** Counts the rows passing by under {@code name} (e.g. "places/steps[0] join in"), changing nothing. */
  public static PCollection<Feature> count(PCollection<Feature> rows, String name) {
    return rows.apply("Count " + name, ParDo.of(new CountFn(name))).setCoder(FeatureCoder.of());
  }

  /** Counts the rejects passing by under {@code name}, changing nothing. */
  public static PCollection<Reject> countRejects(PCollection<Reject> rejects, String name) {
    return rejects.apply("Count " + name, ParDo.of(new DoFn<Reject, Reject>() {
      private final Counter counter = Metrics.counter(METRICS_NAMESPACE, name);

      @ProcessElement
      public void process(@Element Reject r, OutputReceiver<Reject> out) {
        counter.inc();
        out.output(r);
      }
    })).setCoder(RejectCoder.of());
  }

  static final class CountFn extends DoFn<Feature, Feature> {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final Counter counter;
    private transient java.util.concurrent.atomic.AtomicLong live;

    CountFn(String name) {
      this.name = name;
      this.counter = Metrics.counter(METRICS_NAMESPACE, name);
    }

    @Setup
    public void setup() {
      // The progress display's count in this JVM (Direct runner, Flink mini-cluster); the metric is what the manifest reads.
      live = org.d4c.transforms.progress.LocalProgress.step(name);
    }

    @ProcessElement
    public void process(@Element Feature f, OutputReceiver<Feature> out) {
      counter.inc();
      live.incrementAndGet();
      out.output(f);
    }
  }
}
