package org.d4c.manifests.sources;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.d4c.manifests.recipe.Source;

/**
 * Run inside a network namespace where 203.0.113.5 (a "public" address) and 169.254.169.254 (the metadata address)
 * are on the namespace's own loopback: a source at the public address redirects to the metadata address. Prints
 * the outcome and how many requests reached the metadata server. Never run outside a namespace.
 */
public final class RedirectProbe {
  public static void main(String[] args) throws Exception {
    AtomicInteger metadataHits = new AtomicInteger();
    HttpServer metadata = HttpServer.create(new InetSocketAddress("169.254.169.254", 0), 0);
    metadata.createContext("/", ex -> {
      metadataHits.incrementAndGet();
      byte[] b = "CANARY-CREDENTIALS".getBytes();
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    metadata.start();
    HttpServer hostile = HttpServer.create(new InetSocketAddress("203.0.113.5", 0), 0);
    String target = "http://169.254.169.254:" + metadata.getAddress().getPort() + "/latest/meta-data/iam";
    hostile.createContext("/", ex -> {
      ex.getResponseHeaders().set("Location", target);
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    hostile.start();
    String url = "http://203.0.113.5:" + hostile.getAddress().getPort() + "/data.csv";
    Path cache = Files.createTempDirectory("probe-cache");
    String outcome;
    try {
      SourceCache.Lock l = new SourceCache(cache).withRetries(1, java.time.Duration.ofMillis(10))
          .lock(new Source("src", List.of(url), null, null, null, null, null, List.of()), cache);
      outcome = "fetched " + l.size() + " bytes";
    } catch (RuntimeException e) {
      outcome = "refused: " + e.getMessage().replace('\n', ' ');
    }
    // A user who writes the private address in the URL gets it: their choice, not a remote file's.
    String direct;
    try {
      SourceCache.Lock l = new SourceCache(cache).lock(new Source("src", List.of(target), null, null, null, null, null, List.of()), cache);
      direct = "fetched " + l.size() + " bytes";
    } catch (RuntimeException e) {
      direct = "refused: " + e.getMessage().replace('\n', ' ');
    }
    System.out.println("redirect: " + outcome);
    System.out.println("direct: " + direct);
    System.out.println("metadata-hits: " + metadataHits.get());
    hostile.stop(0);
    metadata.stop(0);
  }
}
