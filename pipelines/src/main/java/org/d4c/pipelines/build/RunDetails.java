package org.d4c.pipelines.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code run.json}: how and when this build ran (times, host, runner, parallelism). Deliberately NOT part of the
 * lock: these differ between runs that give the same bytes.
 */
final class RunDetails {
  static final String FILE_NAME = "run.json";

  private RunDetails() {}

  static void write(Path dir, PipelineOptions options, Instant started) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode run = json.createObjectNode();
    Instant finished = Instant.now();
    run.put("started", started.toString());
    run.put("finished", finished.toString());
    run.put("seconds", Duration.between(started, finished).toMillis() / 1000.0);
    run.put("host", hostName());
    run.put("runner", options.getRunner().getSimpleName());
    run.put("options", options.toString());
    run.put("d4c", Versions.d4c());
    json.writeValue(dir.resolve(FILE_NAME).toFile(), run);
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
