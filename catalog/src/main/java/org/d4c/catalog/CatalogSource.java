package org.d4c.catalog;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.d4c.core.io.AtomicFiles;
import org.d4c.core.net.SafeHttp;

/**
 * Where a catalog is read from: a local folder, or a published one at an {@code http(s)://} or {@code s3://} URL
 * (S3 read anonymously over HTTPS, path style through {@code $D4C_S3_ENDPOINT} when set, as the source cache does).
 * Remote files are downloaded on demand into a temporary folder that {@link #close} removes.
 */
public final class CatalogSource implements Closeable {
  private final String location;
  private final Path dir;
  private final URI base;
  private final SafeHttp http;

  private CatalogSource(String location, Path dir, URI base) {
    this.location = location;
    this.dir = dir;
    this.base = base;
    this.http = base == null ? null : SafeHttp.standard(Duration.ofSeconds(120));
  }

  public static CatalogSource open(String location) {
    return open(location, System.getenv("D4C_S3_ENDPOINT"));
  }

  static CatalogSource open(String location, String s3Endpoint) {
    String l = location.trim();
    if (l.startsWith("http://") || l.startsWith("https://") || l.startsWith("s3://")) {
      String url = l.startsWith("s3://") ? s3ToHttps(l, s3Endpoint) : l;
      if (url.endsWith("/" + CatalogParquet.FILE_NAME)) url = url.substring(0, url.length() - CatalogParquet.FILE_NAME.length());
      if (!url.endsWith("/")) url += "/";
      try {
        return new CatalogSource(location, Files.createTempDirectory("d4c-catalog-"), URI.create(url));
      } catch (IOException | IllegalArgumentException e) {
        throw new CatalogException(location, "cannot use this catalog location: " + e.getMessage());
      }
    }
    Path p = Path.of(l.startsWith("file:") ? URI.create(l).getPath() : l);
    if (p.getFileName() != null && p.getFileName().toString().equals(CatalogParquet.FILE_NAME)) p = p.getParent();
    if (!Files.isDirectory(p)) throw new CatalogException(location, "no such catalog folder");
    return new CatalogSource(location, p, null);
  }

  static String s3ToHttps(String url, String endpoint) {
    String rest = url.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) throw new CatalogException(url, "expected s3://bucket/prefix");
    String ep = endpoint == null || endpoint.isBlank() ? null : endpoint.replaceAll("/+$", "");
    return ep == null ? "https://" + bucket + ".s3.amazonaws.com/" + key : ep + "/" + bucket + "/" + key;
  }

  public String location() {
    return location;
  }

  public boolean isRemote() {
    return base != null;
  }

  /** What relative hrefs of this catalog resolve against: its URL, or the folder's file: URI (ends in "/"). */
  public String baseUri() {
    return base != null ? base.toString() : dir.toAbsolutePath().normalize().toUri().toString();
  }

  /** The local folder of a local catalog; for a remote one, the folder the downloads go to. */
  public Path dir() {
    return dir;
  }

  /** A file of the catalog (catalog-root-relative path), downloaded first if remote; null when it does not exist. */
  public Path file(String relative) {
    Path local = dir.resolve(relative).normalize();
    if (!local.startsWith(dir.normalize())) throw new CatalogException(relative, "path leaves the catalog");
    if (base == null) return Files.isRegularFile(local) ? local : null;
    if (Files.isRegularFile(local)) return local;
    URI uri = base.resolve(relative);
    try (SafeHttp.Stream r = http.open(uri)) {
      if (r.status() == 404 || r.status() == 403 && relative.endsWith(".json")) return null;
      if (r.status() != 200) throw new CatalogException(uri.toString(), "HTTP " + r.status());
      AtomicFiles.write(local, r.body());
      return local;
    } catch (IOException e) {
      throw new CatalogException(uri.toString(), "cannot download: " + e.getMessage());
    }
  }

  /** catalog.parquet, which must exist. */
  public Path parquet() {
    Path p = file(CatalogParquet.FILE_NAME);
    if (p == null) throw new CatalogException(location, "no " + CatalogParquet.FILE_NAME + ": not a d4c catalog (create one with ./d4c catalog add)");
    return p;
  }

  @Override
  public void close() {
    if (base == null) return;
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder; best effort
    }
  }
}
