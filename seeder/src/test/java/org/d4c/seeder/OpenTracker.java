package org.d4c.seeder;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code opentracker} on loopback, HTTP and UDP on one free port. Debian builds it with a whitelist: only the
 * info-hashes listed in {@code -w} are tracked. It chroots into its folder, so the whitelist is named relative to it.
 */
public final class OpenTracker implements AutoCloseable {
  public static final String BINARY = "/usr/bin/opentracker";
  private final Process process;
  private final int port;

  /** Starts it on {@code port} (see {@link #freeTcpAndUdpPort}), tracking only {@code infoHashes}. */
  public OpenTracker(Path dir, int port, List<String> infoHashes) throws IOException, InterruptedException {
    this(dir, "127.0.0.1", port, infoHashes);
  }

  /** As above, bound to {@code host}. */
  public OpenTracker(Path dir, String host, int port, List<String> infoHashes) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("whitelist"), String.join("\n", infoHashes) + "\n");
    this.port = port;
    this.process = new ProcessBuilder(BINARY, "-i", host, "-p", Integer.toString(port), "-P", Integer.toString(port), "-w",
        "whitelist", "-d", dir.toAbsolutePath().toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("opentracker.log").toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end && process.isAlive()) {
      try (Socket s = new Socket(InetAddress.getByName(host), port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IOException("opentracker did not start on port " + port + "; log: " + Files.readString(dir.resolve("opentracker.log")));
  }

  public static boolean installed() {
    return Files.isExecutable(Path.of(BINARY));
  }

  public static String httpAnnounce(int port) {
    return "http://127.0.0.1:" + port + "/announce";
  }

  public static String udpAnnounce(int port) {
    return "udp://127.0.0.1:" + port + "/announce";
  }

  public int port() {
    return port;
  }

  public static int freeTcpAndUdpPort() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int p = s.getLocalPort();
        try (DatagramSocket d = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
          return p;
        } catch (IOException e) {
          // UDP side taken: try another
        }
      }
    }
    throw new IOException("no free port for both TCP and UDP");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
