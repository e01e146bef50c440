package org.d4c.publisher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Independent command-line clients (aria2c, python3-libtorrent) run by the integration tests. */
public final class Processes {
  private Processes() {}

  public static String which(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) return p.toString();
    }
    return Files.isExecutable(Path.of("/usr/bin", tool)) ? "/usr/bin/" + tool : null;
  }

  /** Runs a command, returns its output; fails on a non-zero exit or past {@code seconds}. */
  public static String run(List<String> cmd, int seconds) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true);
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (InputStream in = p.getInputStream()) {
        out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the process died; its exit code tells
      }
    });
    reader.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish in " + seconds + " s");
    }
    reader.join();
    if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
    return out.toString();
  }
}
