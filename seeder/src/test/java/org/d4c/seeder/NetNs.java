package org.d4c.seeder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A small network made by the test: a bridge in the root namespace ({@code 10.213.X.1/24}, where the mirrors and the
 * tracker listen) and one network namespace per host, each with a veth pair on the bridge and its own address
 * {@code 10.213.X.(10 + i)}. Needs root and {@code ip} (iproute2); {@link #close()} removes everything.
 */
public final class NetNs implements AutoCloseable {
  private final String id;
  private final int subnet;
  private final List<String> names = new ArrayList<>();
  private final String bridge;

  private NetNs(String id, int subnet) {
    this.id = id;
    this.subnet = subnet;
    this.bridge = "d4cb" + id;
  }

  /** Why namespaces cannot be made here, or null when they can. */
  public static String unavailable() {
    if (!java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/ip")) && !java.nio.file.Files.isExecutable(java.nio.file.Path.of("/sbin/ip"))) {
      return "ip (iproute2) is missing: apt-get install iproute2";
    }
    String probe = "d4cprobe" + ProcessHandle.current().pid() % 100000;
    try {
      run("ip", "netns", "add", probe);
      run("ip", "netns", "del", probe);
      return null;
    } catch (IOException e) {
      return "this kernel or user cannot make network namespaces (" + e.getMessage().strip() + "); run as root";
    }
  }

  /** A bridge and {@code hosts} namespaces, each with one address. */
  public static NetNs create(int hosts) throws IOException {
    Random r = new Random(System.nanoTime());
    NetNs n = new NetNs(String.format("%04x", r.nextInt(1 << 16)), 1 + r.nextInt(250));
    try {
      run("ip", "link", "add", n.bridge, "type", "bridge");
      run("ip", "addr", "add", n.hostAddress() + "/24", "dev", n.bridge);
      run("ip", "link", "set", n.bridge, "up");
      for (int i = 0; i < hosts; i++) {
        String ns = "d4c" + n.id + "n" + i;
        String veth = "d4cv" + n.id + i;
        run("ip", "netns", "add", ns);
        n.names.add(ns);
        run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "link", "set", veth, "master", n.bridge, "up");
        run("ip", "-n", ns, "addr", "add", n.address(i) + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
      }
      return n;
    } catch (IOException e) {
      n.close();
      throw e;
    }
  }

  /** The root namespace's address on the bridge (mirrors, tracker). */
  public String hostAddress() {
    return "10.213." + subnet + ".1";
  }

  /** Host {@code i}'s address. */
  public String address(int i) {
    return "10.213." + subnet + "." + (10 + i);
  }

  /** Host {@code i}'s namespace name (for {@code ip netns exec}). */
  public String name(int i) {
    return names.get(i);
  }

  /** Cuts host {@code i} off the network (its link goes down) or brings it back. */
  public void link(int i, boolean up) throws IOException {
    run("ip", "link", "set", "d4cv" + id + i, up ? "up" : "down");
  }

  static void run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() {
    for (String ns : names) {
      try {
        run("ip", "netns", "del", ns);
      } catch (IOException e) {
        // already gone
      }
    }
    try {
      run("ip", "link", "del", bridge);
    } catch (IOException e) {
      // already gone
    }
  }
}
