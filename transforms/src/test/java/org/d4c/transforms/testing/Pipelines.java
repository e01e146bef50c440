package org.d4c.transforms.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Direct-runner pipelines for tests, without JUnit 4 (Beam's {@code TestPipeline} is a JUnit 4 rule): create one with
 * {@link #direct}, {@link #collect} what a step outputs, {@link #run} it, then read what was collected.
 */
public final class Pipelines {
  private static final Map<String, Queue<Object>> SINKS = new ConcurrentHashMap<>();

  private Pipelines() {}

  /** A Direct-runner pipeline; {@code args} are extra Beam flags such as {@code --targetParallelism=4}. */
  public static Pipeline direct(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "--runner=DirectRunner";
    System.arraycopy(args, 0, all, 1, args.length);
    return Pipeline.create(PipelineOptionsFactory.fromArgs(all).create());
  }

  /** Runs {@code p} to the end; fails when it does not finish DONE. */
  public static void run(Pipeline p) {
    PipelineResult.State state = p.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new AssertionError("pipeline ended in state " + state);
    }
  }

  /** Remembers every element of {@code pc} in this JVM; read them with {@link Sink#get()} after {@link #run}. */
  public static <T> Sink<T> collect(PCollection<T> pc) {
    String id = UUID.randomUUID().toString();
    SINKS.put(id, new ConcurrentLinkedQueue<>());
    pc.apply("Collect " + id, ParDo.of(new CollectFn<T>(id)));
    return new Sink<>(id);
  }

  /** What {@link #collect} gathered. */
  public static final class Sink<T> {
    private final String id;

    private Sink(String id) {
      this.id = id;
    }

    @SuppressWarnings("unchecked")
    public List<T> get() {
      List<T> out = new ArrayList<>();
      SINKS.get(id).forEach(o -> out.add((T) o));
      return out;
    }
  }

  private static final class CollectFn<T> extends DoFn<T, Void> {
    private static final long serialVersionUID = 1L;
    private final String id;

    CollectFn(String id) {
      this.id = id;
    }

    @ProcessElement
    public void process(@Element T element) {
      SINKS.get(id).add(element);
    }
  }
}
