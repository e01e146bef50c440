package org.d4c.pipelines.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real Flink 1.19 session cluster on loopback: a JobManager and a TaskManager, each its own JVM, started from
 * the Flink jars on the test classpath (Beam and d4c jars are left out, so jobs must bring them in the job jar, as
 * on a real cluster). Ports are free ones, every address is 127.0.0.1, all files stay in {@code dir}.
 */
public final class FlinkCluster implements AutoCloseable {
  /** Flink's own default JVM options for Java 17 (env.java.opts.all). */
  private static final List<String> JAVA17_OPENS = List.of(
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private final Path dir;
  private final int restPort;
  private final List<Process> processes = new ArrayList<>();

  private FlinkCluster(Path dir, int restPort) {
    this.dir = dir;
    this.restPort = restPort;
  }

  /** Starts the cluster and waits until the TaskManager's slots are registered. */
  public static FlinkCluster start(Path dir, String gdalLibraryPath) throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("tmp"));
    int rest = freePort();
    String config = String.join("\n",
        "jobmanager.rpc.address: 127.0.0.1", "jobmanager.rpc.port: " + freePort(), "jobmanager.bind-host: 127.0.0.1",
        "rest.address: 127.0.0.1", "rest.bind-address: 127.0.0.1", "rest.port: " + rest,
        "blob.server.port: " + freePort(), "taskmanager.host: 127.0.0.1", "taskmanager.bind-host: 127.0.0.1",
        "taskmanager.rpc.port: " + freePort(), "taskmanager.numberOfTaskSlots: 2",
        "jobmanager.memory.process.size: 768m", "taskmanager.memory.process.size: 1280m",
        "high-availability.type: NONE", "cluster.registration.error-delay: 500", "parallelism.default: 2",
        "io.tmp.dirs: " + dir.resolve("tmp"), "web.tmpdir: " + dir.resolve("tmp"),
        "");
    Files.writeString(conf.resolve("config.yaml"), config);
    String classpath = clusterClasspath();
    FlinkCluster cluster = new FlinkCluster(dir, rest);
    try {
      cluster.launch("jobmanager", classpath, "GET_JM_RESOURCE_PARAMS",
          "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of());
      cluster.launch("taskmanager", classpath, "GET_TM_RESOURCE_PARAMS",
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", List.of("-Djava.library.path=" + gdalLibraryPath));
      cluster.awaitSlots(Duration.ofSeconds(90));
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw new IllegalStateException(e.getMessage() + "\n" + cluster.logs(), e);
    }
  }

  /** host:port of the JobManager's REST endpoint, what Beam's --flinkMaster takes. */
  public String master() {
    return "127.0.0.1:" + restPort;
  }

  /**
   * The Flink jars and their dependencies from this JVM's classpath, without Beam and d4c (the job jar brings them),
   * and GDAL's Java classes, which a real cluster has in Flink's lib/ folder (the job jar leaves them out: their JNI
   * library can be bound to one class loader only).
   */
  static String clusterClasspath() {
    return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(e -> !e.contains("/org/apache/beam/") && !e.contains("/org/d4c/")
            && !e.endsWith("/classes") && !e.endsWith("/test-classes"))
        .collect(Collectors.joining(java.io.File.pathSeparator));
  }

  private void launch(String name, String classpath, String resourceCommand, String mainClass, List<String> extra)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Flink's scripts compute the memory flags with BashJavaUtils; do the same.
    Process utils = new ProcessBuilder(java, "-cp", classpath, "org.apache.flink.runtime.util.bash.BashJavaUtils",
        resourceCommand, "--configDir", dir.resolve("conf").toString()).redirectErrorStream(true).start();
    List<String> lines = new String(utils.getInputStream().readAllBytes()).lines()
        .filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
        .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim()).toList();
    if (utils.waitFor() != 0 || lines.size() < 2) {
      throw new IllegalStateException("BashJavaUtils " + resourceCommand + " failed");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(Arrays.asList(lines.get(0).split(" ")));
    cmd.addAll(JAVA17_OPENS);
    cmd.addAll(extra);
    cmd.add("-Dlog.file=" + dir.resolve(name + ".log"));
    cmd.addAll(List.of("-cp", classpath, mainClass, "--configDir", dir.resolve("conf").toString()));
    cmd.addAll(Arrays.asList(lines.get(1).split(" ")));
    processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".out").toFile()).start());
  }

  private void awaitSlots(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a Flink process exited with " + p.exitValue());
        }
      }
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://" + master() + "/overview")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        if (body.matches("(?s).*\"slots-total\":\\s*[1-9].*")) {
          return;
        }
      } catch (IOException e) {
        // Not up yet.
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException("the Flink cluster did not register a task slot within " + timeout);
  }

  /** The tail of the cluster's output, for failure messages. */
  public String logs() {
    StringBuilder s = new StringBuilder();
    for (String name : List.of("jobmanager", "taskmanager")) {
      Path out = dir.resolve(name + ".out");
      try {
        List<String> lines = Files.exists(out) ? Files.readAllLines(out) : List.of();
        s.append("--- ").append(name).append(" (last lines)\n");
        lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> s.append(l).append('\n'));
      } catch (IOException e) {
        s.append(e).append('\n');
      }
    }
    return s.toString();
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
