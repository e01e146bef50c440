package org.d4c.seeder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.d4c.publisher.mirror.FolderServer;
import org.d4c.seeder.Fixtures;
import org.d4c.seeder.Procs;

/**
 * Seeding throughput on loopback, run by {@code bench/seed-throughput.sh}: the same python3-libtorrent client
 * ({@code lt_peer.py time}) downloads one dataset of SIZE_MIB MiB, alternately
 *
 * <ul>
 *   <li><b>seeder, TCP</b>: from the d4c seeder jar (its own JVM, {@code --mode full}) connected directly over TCP, web
 *       seeds removed;
 *   <li><b>web seed</b>: through a range-capable HTTP web seed only: {@link FolderServer}, the server behind
 *       {@code d4c serve}, in its own JVM; no peer;
 *   <li>with {@code -Dseedbench.utp=true}, <b>seeder, uTP</b>: as the first, over uTP.
 * </ul>
 *
 * <p>Set-up, not timed: a dataset published with the test {@link Fixtures} (random blob of SIZE_MIB MiB + a small
 * GeoParquet + manifest, its torrent, a catalog) under WORKDIR, served by a first web seed in this JVM; the seeder
 * fetches it all from there, then that web seed is closed, so in the seeder rounds only the seeder has the bytes. Each
 * round runs every side (the order rotates) into a fresh folder. Prints one line per download and the medians.
 *
 * <p>{@code java -cp ... org.d4c.seeder.bench.SeedBench SIZE_MIB ROUNDS WORKDIR}; {@code ... SeedBench serve DIR} is the
 * web seed process.
 */
public final class SeedBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SeedBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("serve")) {
      serve(Path.of(args[1]));
      return;
    }
    int sizeMib = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    Path work = Files.createDirectories(Path.of(args[2]));
    if (sizeMib < 1 || sizeMib > 2047) throw new IllegalArgumentException("SIZE_MIB must be 1..2047 (one blob, one Java array)");
    if (!Procs.hasPythonLibtorrent()) throw new IllegalStateException("python3-libtorrent is missing (/usr/bin/python3)");

    Path catalog = work.resolve("catalog");
    Path mirror = Files.createDirectories(work.resolve("mirror"));
    Fixtures.Published p;
    String seederFetch;
    try (FolderServer setup = FolderServer.start(mirror, "127.0.0.1", 0, "/")) {
      long t0 = System.nanoTime();
      p = Fixtures.publish(catalog, mirror, setup.url(), "bench", "1.0.0", sizeMib << 20, 7);
      log("dataset: %,d bytes, %d pieces of %d KiB, made in %.1f s", p.result().totalSize(), p.result().numPieces(),
          p.result().pieceLength() >> 10, secs(t0));
      Procs.Proc seeder = Procs.seeder(work.resolve("cache"), List.of("--catalog", catalog.toString(), "--data",
          work.resolve("seeder").toString(), "--budget", (2 * sizeMib + 256) + "M", "--mode", "full", "--listen",
          "127.0.0.1:0", "--status", "127.0.0.1:0", "--sync-interval", "1h", "--reserve", "1M"));
      Runtime.getRuntime().addShutdownHook(new Thread(seeder::close));
      int port = Integer.parseInt(seeder.await("listening on port (\\d+)", 120));
      int statusPort = Integer.parseInt(seeder.await("status on port (\\d+)", 30));
      t0 = System.nanoTime();
      Procs.awaitStatus(statusPort, s -> s.path("datasets").size() == 1
          && s.path("datasets").get(0).path("pieces_held").asInt() == p.result().numPieces(), 3600, seeder);
      seederFetch = String.format(Locale.ROOT, "%.1f s", secs(t0));
      log("seeder %s has the whole dataset (fetched through the set-up web seed in %s); that web seed is now closed", seeder.process.pid(),
          seederFetch);
      setup.close();
      // The set-up wrote the dataset twice (web seed folder, seeder): flush it now, not during the first round.
      new ProcessBuilder("sync").inheritIO().start().waitFor();
      run(p, rounds, work, port, statusPort, seeder);
    }
  }

  /** One way for the client to get the data: a name and lt_peer.py's source arguments. */
  private record Side(String name, boolean fromSeeder, List<String> args) {}

  private static void run(Fixtures.Published p, int rounds, Path work, int seederPort, int statusPort, Procs.Proc seeder) throws Exception {
    List<String> cp = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), SeedBench.class.getName(), "serve", work.resolve("mirror").toString());
    Process web = new ProcessBuilder(cp).redirectErrorStream(true).start();
    Runtime.getRuntime().addShutdownHook(new Thread(web::destroy));
    String url = new BufferedReader(new InputStreamReader(web.getInputStream(), StandardCharsets.UTF_8)).readLine();
    if (url == null || !url.startsWith("http://")) throw new IllegalStateException("web seed process said: " + url);
    log("web seed process %d: %s", web.pid(), url);
    String peer = "127.0.0.1:" + seederPort;
    // TCP to the seeder is the like-for-like comparison with HTTP (TCP); libtorrent's own default would open uTP first,
    // which on loopback is far slower, so it is measured apart, on request.
    List<Side> sides = new ArrayList<>(List.of(new Side("seeder, TCP", true, List.of("--peer", peer, "--transport", "tcp")),
        new Side("web seed", false, List.of("--webseed", url))));
    if (Boolean.getBoolean("seedbench.utp")) sides.add(new Side("seeder, uTP", true, List.of("--peer", peer, "--transport", "utp")));
    // MB/s over the transfer (first payload byte to last piece verified), and over the whole download (from resume,
    // with the connection set-up: about 0.5 s on every side, as libtorrent connects on its next tick).
    Map<String, List<Double>> transfer = new LinkedHashMap<>();
    Map<String, List<Double>> whole = new LinkedHashMap<>();
    List<Double> loads = new ArrayList<>();
    // Round 0 is a warm-up, not counted: in trial runs the first download after the set-up was the slowest, whichever
    // side it went to.
    for (Side side : sides) {
      if (side.name().contains("uTP")) continue;
      JsonNode res = fetch(p.torrent(), work.resolve("client"), side.args());
      log("warm-up  %-12s %.3f s", side.name(), res.path("seconds").asDouble());
    }
    for (int r = 1; r <= rounds; r++) {
      for (int i = 0; i < sides.size(); i++) {
        Side side = sides.get((i + r - 1) % sides.size()); // the order rotates every round
        double load = load();
        loads.add(load);
        long upBefore = uploaded(statusPort);
        JsonNode res = fetch(p.torrent(), work.resolve("client"), side.args());
        long bytes = res.path("bytes").asLong();
        // The status API refreshes every second: wait for the seeder's count to catch up (or to stay put).
        long up = awaitUploaded(statusPort, side.fromSeeder() ? upBefore + bytes : Long.MAX_VALUE) - upBefore;
        if (side.fromSeeder() ? up < bytes : up > 0) {
          throw new IllegalStateException("the seeder uploaded " + up + " bytes: the " + side.name() + " round did not go where it should\n"
              + seeder.output());
        }
        double secs = res.path("seconds").asDouble();
        double first = res.path("first_byte_seconds").asDouble();
        transfer.computeIfAbsent(side.name(), k -> new ArrayList<>()).add(bytes / (secs - first) / 1e6);
        whole.computeIfAbsent(side.name(), k -> new ArrayList<>()).add(bytes / secs / 1e6);
        log("round %d  %-12s transfer %7.2f MB/s (%.3f s)  whole %7.2f MB/s (%.3f s, first byte at %.3f s)  downloaded %,d"
            + "  seeder uploaded %,d  load %.2f", r, side.name(), bytes / (secs - first) / 1e6, secs - first, bytes / secs / 1e6, secs,
            first, res.path("downloaded").asLong(), up, load);
      }
    }
    loads.add(load());
    log("RESULT %,d bytes, median of %d rounds, 1-min load %.2f-%.2f:", p.result().totalSize(), rounds,
        loads.stream().min(Double::compare).orElseThrow(), loads.stream().max(Double::compare).orElseThrow());
    double webT = median(transfer.get("web seed"));
    double webW = median(whole.get("web seed"));
    for (Side side : sides) {
      double t = median(transfer.get(side.name()));
      double w = median(whole.get(side.name()));
      log("RESULT %-12s transfer %7.1f MB/s (%.2f x web seed)  whole download %7.1f MB/s (%.2f x web seed)", side.name(), t, t / webT, w,
          w / webW);
    }
    web.destroy();
    web.waitFor(10, TimeUnit.SECONDS);
    seeder.close();
  }

  /** One timed download by lt_peer.py into a fresh folder, deleted afterwards. */
  private static JsonNode fetch(Path torrent, Path out, List<String> source) throws Exception {
    deleteTree(out);
    Files.createDirectories(out);
    List<String> a = new ArrayList<>(List.of("time", torrent.toString(), out.toString()));
    a.addAll(source);
    a.addAll(List.of("--timeout", "1800"));
    try (Procs.Proc client = Procs.python(a)) {
      int exit = client.process.waitFor();
      String last = client.lines.isEmpty() ? "" : client.lines.get(client.lines.size() - 1);
      if (exit != 0 || !last.startsWith("{")) throw new IllegalStateException("client exited " + exit + ":\n" + client.output());
      JsonNode res = JSON.readTree(last);
      if (res.path("failed").asLong() != 0) throw new IllegalStateException("pieces failed their hash: " + last);
      return res;
    } finally {
      deleteTree(out);
    }
  }

  /** The seeder's upload count once it reaches {@code atLeast}, or after 3 s (at most 30 s when it keeps rising). */
  private static long awaitUploaded(int statusPort, long atLeast) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    long last = uploaded(statusPort);
    while (last < atLeast && System.nanoTime() < end) {
      Thread.sleep(200);
      long now = uploaded(statusPort);
      if (now != last) quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      else if (System.nanoTime() > quiet) break;
      last = now;
    }
    return last;
  }

  private static long uploaded(int statusPort) throws Exception {
    JsonNode st = JSON.readTree(Procs.get("http://127.0.0.1:" + statusPort + "/status", null).body());
    return st.path("datasets").get(0).path("uploaded").asLong();
  }

  private static void serve(Path dir) throws Exception {
    try (FolderServer s = FolderServer.start(dir, "127.0.0.1", 0, "/")) {
      System.out.println(s.url());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until stdin closes or the process is stopped
      }
    }
  }

  private static double load() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void log(String fmt, Object... args) {
    System.out.println(String.format(Locale.ROOT, fmt, args));
    System.out.flush();
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
