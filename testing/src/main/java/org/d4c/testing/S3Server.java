package org.d4c.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

/**
 * A real S3 server for the tests: s3proxy in-process on 127.0.0.1 with the filesystem backend (objects are plain
 * files under {@code <dir>/<bucket>/<key>}, so a test can change one behind the mirror's back). With no key it
 * answers anonymous requests: a second server over the same folder plays the bucket's public HTTP endpoint.
 */
public final class S3Server implements AutoCloseable {
  private final S3Proxy proxy;
  private final Path dir;

  private S3Server(S3Proxy proxy, Path dir) {
    this.proxy = proxy;
    this.dir = dir;
  }

  /** Starts on {@code port} (0: any free port); {@code key} null for anonymous access. */
  public static S3Server start(Path dir, int port, String key, String secret) throws Exception {
    Properties p = new Properties();
    p.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
    S3Proxy.Builder b = S3Proxy.builder()
        .blobStore(BlobStores.create("filesystem", p))
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .ignoreUnknownHeaders(true)
        .stopTimeout(0);
    if (key != null) b.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, key, secret);
    else b.awsAuthentication(AuthenticationType.NONE, "", "");
    S3Proxy proxy = b.build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
      Thread.sleep(10);
    }
    return new S3Server(proxy, dir);
  }

  public int port() {
    return proxy.getPort();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** The file holding an object. */
  public Path objectFile(String bucket, String key) {
    return dir.resolve(bucket).resolve(key);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
