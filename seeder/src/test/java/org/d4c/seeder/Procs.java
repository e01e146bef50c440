package org.d4c.seeder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Processes for the integration tests: the seeder jar in its own JVM, python3-libtorrent peers. */
public final class Procs {
  public static final String PYTHON = "/usr/bin/python3";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Procs() {}

  /** A started process whose output lines are collected. */
  public static final class Proc implements AutoCloseable {
    public final Process process;
    public final List<String> lines = new CopyOnWriteArrayList<>();

    Proc(Process p) {
      this.process = p;
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) lines.add(l);
        } catch (IOException e) {
          // process ended
        }
      }, "proc-reader");
      t.setDaemon(true);
      t.start();
    }

    /** The first group of the first output line matching {@code regex}, waiting up to {@code seconds}. */
    public String await(String regex, int seconds) throws InterruptedException {
      Pattern p = Pattern.compile(regex);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < end) {
        for (String l : lines) {
          Matcher m = p.matcher(l);
          if (m.find()) return m.groupCount() > 0 ? m.group(1) : l;
        }
        if (!process.isAlive() && System.nanoTime() > end - TimeUnit.SECONDS.toNanos(seconds) + 500_000_000L) break;
        Thread.sleep(50);
      }
      throw new AssertionError("no line matching " + regex + " in " + seconds + " s; output:\n" + String.join("\n", lines));
    }

    public String output() {
      return String.join("\n", lines);
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public static Path seederJar() {
    Path jar = Path.of(System.getProperty("seeder.jar", "target/d4c-seeder.jar"));
    if (!Files.isRegularFile(jar)) throw new AssertionError("no seeder jar at " + jar + ": run mvn verify (package builds it)");
    return jar;
  }

  /** java -jar d4c-seeder.jar seed ARGS, with its native library extracted into {@code cache} (the jar's own path). */
  public static Proc seeder(Path cache, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-jar", seederJar().toString(), "seed"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("XDG_CACHE_HOME", cache.toString());
    return new Proc(pb.start());
  }

  /** The seeder jar run inside network namespace {@code ns} ({@code ip netns exec}). */
  public static Proc seederIn(String ns, Path cache, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx192m", "-jar", seederJar().toString(), "seed"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("XDG_CACHE_HOME", cache.toString());
    return new Proc(pb.start());
  }

  /** lt_peer.py run inside network namespace {@code ns}. */
  public static Proc pythonIn(String ns, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, PYTHON, script().toString()));
    cmd.addAll(args);
    return new Proc(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  public static Path script() throws IOException {
    Path p = Files.createTempFile("lt_peer", ".py");
    try (var in = Procs.class.getResourceAsStream("/lt_peer.py")) {
      Files.write(p, in.readAllBytes());
    }
    p.toFile().deleteOnExit();
    return p;
  }

  public static Proc python(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(PYTHON, script().toString()));
    cmd.addAll(args);
    return new Proc(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  public static boolean hasPythonLibtorrent() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import libtorrent").redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  public static HttpResponse<String> get(String url, String host) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The HTTP status of GET /status sent with exactly this Host header (the JDK client will not set Host). */
  public static int statusWithHost(int port, String host) throws IOException {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.getOutputStream().write(("GET /status HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      return Integer.parseInt(line.split(" ")[1]);
    }
  }

  /** Polls GET /status until {@code until} holds; returns that status. */
  public static JsonNode awaitStatus(int port, Predicate<JsonNode> until, int seconds, Proc proc) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    JsonNode last = null;
    while (System.nanoTime() < end) {
      try {
        HttpResponse<String> r = get("http://127.0.0.1:" + port + "/status", null);
        if (r.statusCode() == 200) {
          last = new ObjectMapper().readTree(r.body());
          if (until.test(last)) return last;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("status never matched in " + seconds + " s; last: " + last + (proc == null ? "" : "\nseeder output:\n" + proc.output()));
  }
}
