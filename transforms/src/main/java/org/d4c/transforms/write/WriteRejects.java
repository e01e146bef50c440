package org.d4c.transforms.write;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.d4c.transforms.rejects.Reject;
import org.d4c.transforms.rejects.RejectCoder;

/**
 * Writes every reject, in data order, as JSON Lines ({@code rejects.jsonl}): one object per rejected record with its
 * source id, FID, reason, detail and geometry as WKT. Nothing is written when there are no rejects.
 */
public final class WriteRejects extends PTransform<PCollection<Reject>, PDone> {
  private static final long serialVersionUID = 1L;
  public static final String FILE_NAME = "rejects.jsonl";

  private final String folder;
  private final List<String> sourceIds;

  private WriteRejects(String folder, List<String> sourceIds) {
    this.folder = folder;
    this.sourceIds = List.copyOf(sourceIds);
  }

  /** @param sourceIds the recipe's source ids by index, to name the source of each reject */
  public static WriteRejects to(String folder, List<String> sourceIds) {
    return new WriteRejects(folder, sourceIds);
  }

  @Override
  public PDone expand(PCollection<Reject> input) {
    String dir = folder;
    List<String> ids = sourceIds;
    input.apply("Count rejects by reason", ParDo.of(new DoFn<Reject, Reject>() {
          @ProcessElement
          public void process(@Element Reject r, OutputReceiver<Reject> out) {
            // Beam metrics carry the counts to any runner's UI; the manifest counts them from the file.
            Metrics.counter("d4c.rejects", r.reason()).inc();
            out.output(r);
          }
        })).setCoder(RejectCoder.of())
        .apply("Key all rejects alike", WithKeys.of("rejects"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RejectCoder.of()))
        .apply("Gather rejects", GroupByKey.create())
        .apply("Write rejects file", ParDo.of(new DoFn<KV<String, Iterable<Reject>>, Void>() {
          @ProcessElement
          public void process(@Element KV<String, Iterable<Reject>> all) {
            List<Reject> sorted = new ArrayList<>();
            all.getValue().forEach(sorted::add);
            sorted.sort(Reject.ORDER);
            write(Paths.get(dir).resolve(FILE_NAME), sorted, ids);
          }
        }));
    return PDone.in(input.getPipeline());
  }

  static void write(Path file, List<Reject> rejects, List<String> sourceIds) {
    ObjectMapper json = new ObjectMapper();
    try (OutputStream out = Files.newOutputStream(file)) {
      for (Reject r : rejects) {
        // Fixed key order, one object per line.
        var line = new java.io.ByteArrayOutputStream();
        try (JsonGenerator g = json.getFactory().createGenerator(line)) {
          g.writeStartObject();
          g.writeStringField("source", sourceIds.get(r.source()));
          g.writeNumberField("fid", r.fid());
          g.writeStringField("reason", r.reason());
          g.writeStringField("detail", r.detail());
          g.writeStringField("wkt", r.wkt());
          g.writeEndObject();
        }
        line.write('\n');
        line.writeTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file.getFileName() + " failed: " + e.getMessage(), e);
    }
  }
}
