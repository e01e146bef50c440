package org.d4c.monitor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;
import org.d4c.core.json.CanonicalJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Reports a problem with one storage location of one dataset to a status monitor. The monitor re-fetches",
        "what you name from every probe site it has and answers confirmed, regional or not reproduced; a confirmed report",
        "takes the location out of routing for that dataset until a later probe clears it. Every report and verdict is",
        "appended to a public hash-chained log.%n"},
    footer = {"", "Examples:",
        "  ./d4c report roads-1.0.0 --location r2 --problem corrupt --file roads.parquet --range 0-1048576 \\",
        "      --expected-sha256 5e88...  --observed-sha256 9f86...",
        "  ./d4c report roads-1.0.0 --location archive --problem down --http-status 503 --monitor http://127.0.0.1:8090/"})
public final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ITEM", description = "The catalog item (dataset version), e.g. roads-1.0.0.")
  String item;

  @Option(names = "--location", required = true, paramLabel = "ID", description = "The location id as the status page shows it.")
  String location;

  @Option(names = "--problem", required = true, paramLabel = "KIND", description = "corrupt, down, slow, stale or other.")
  String problem;

  @Option(names = "--file", paramLabel = "PATH", description = "The file under the dataset's folder, e.g. roads.parquet.")
  String file;

  @Option(names = "--range", paramLabel = "FROM-TO", description = "Byte range of the file, TO exclusive (needs --file).")
  String range;

  @Option(names = "--expected-sha256", paramLabel = "HEX") String expected;
  @Option(names = "--observed-sha256", paramLabel = "HEX") String observed;
  @Option(names = "--http-status", paramLabel = "N") Integer httpStatus;
  @Option(names = "--elapsed-ms", paramLabel = "MS") Double elapsedMs;
  @Option(names = "--note", paramLabel = "TEXT", description = "Up to 500 characters.") String note;

  @Option(names = "--monitor", defaultValue = "http://127.0.0.1:8090/", paramLabel = "URL", description = "The monitor (default: ${DEFAULT-VALUE}).")
  URI monitor;

  @Override
  public Integer call() throws Exception {
    ObjectNode r = JsonNodeFactory.instance.objectNode().put("item", item).put("location", location).put("problem", problem);
    if (file != null) r.put("file", file);
    if (range != null) {
      String[] p = range.split("-", 2);
      try {
        r.putObject("range").put("from", Long.parseLong(p[0].trim())).put("to", Long.parseLong(p[1].trim()));
      } catch (RuntimeException e) {
        throw new D4cException(ExitCode.BAD_INPUT, "--range: expected FROM-TO in bytes, e.g. 0-1048576, got " + range);
      }
    }
    if (expected != null) r.put("expected_sha256", expected);
    if (observed != null) r.put("observed_sha256", observed);
    if (httpStatus != null) r.put("http_status", httpStatus);
    if (elapsedMs != null) r.put("elapsed_ms", elapsedMs);
    if (note != null) r.put("note", note);
    String base;
    try {
      base = org.d4c.catalog.status.StatusDocument.checkMonitorUrl(monitor.toString());
    } catch (IllegalArgumentException e) {
      throw new D4cException(ExitCode.BAD_INPUT, "--monitor: " + e.getMessage());
    }
    // Relative to the monitor's address, so a monitor published under a path (monitor.url) works too.
    URI reports = URI.create(base + "v1/reports");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> resp;
    try {
      resp = http.send(HttpRequest.newBuilder(reports).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(CanonicalJson.toBytes(r))).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new D4cException(ExitCode.FAILED, "cannot reach the monitor at " + monitor + ": " + e.getMessage() + " (is it running? --monitor URL)");
    }
    JsonNode body = CanonicalJson.mapper().readTree(resp.body());
    if (resp.statusCode() == 202) {
      System.out.println("Report " + body.path("id").asText() + " logged as #" + body.path("seq").asLong()
          + "; the monitor is re-checking it. Follow it at " + reports);
      return 0;
    }
    String why = body.path("error").asText(resp.body());
    if (resp.statusCode() == 429) throw new D4cException(ExitCode.FAILED, "the monitor limits reports per address: " + why);
    throw new D4cException(resp.statusCode() == 400 ? ExitCode.BAD_INPUT : ExitCode.FAILED, "refused (HTTP " + resp.statusCode() + "): " + why);
  }
}
