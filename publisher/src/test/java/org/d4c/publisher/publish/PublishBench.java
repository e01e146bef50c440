package org.d4c.publisher.publish;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.d4c.core.hash.Hashing;
import org.d4c.core.progress.Progress;
import org.d4c.publisher.mirror.Credentials;
import org.d4c.publisher.mirror.MirrorFile;
import org.d4c.publisher.mirror.Release;
import org.d4c.publisher.mirror.ReleaseFile;
import org.d4c.publisher.mirror.S3Mirror;
import org.d4c.testing.S3Server;
import org.d4c.publisher.torrent.TorrentMaker;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The publish benchmark (run by {@code bench/publish-bench.sh}, not a test): one s3proxy on loopback serves both
 * clients; per round, {@code rclone copy} and the S3 mirror (checksums on) upload the same file to fresh keys, then
 * {@code mktorrent -t 2} and {@link TorrentMaker} hash it with the same piece size. Prints one line per timing and
 * the medians. Args: FILE WORKDIR ROUNDS.
 */
public final class PublishBench {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    long size = Files.size(file);
    Files.createDirectories(work.resolve("store"));
    String sha = Hashing.sha256(file);
    try (S3Server server = S3Server.start(work.resolve("store"), 0, "bench", "bench-secret")) {
      try (S3Client c = S3Client.builder().endpointOverride(server.endpoint()).region(Region.of("auto")).forcePathStyle(true)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret"))).build()) {
        c.createBucket(b -> b.bucket("bench"));
      }
      Path rcloneConf = work.resolve("rclone.conf");
      Files.writeString(rcloneConf, "[s3proxy]\ntype = s3\nprovider = Other\naccess_key_id = bench\nsecret_access_key = bench-secret\n"
          + "endpoint = " + server.endpoint() + "\nforce_path_style = true\nregion = auto\n");
      List<Double> rclone = new ArrayList<>();
      List<Double> d4c = new ArrayList<>();
      List<Double> mk = new ArrayList<>();
      List<Double> tm = new ArrayList<>();
      int piece = TorrentMaker.pieceSize(size);
      int log2 = Integer.numberOfTrailingZeros(piece);
      Path fake = work.resolve("build");
      org.d4c.publisher.torrent.BenchBuild.write(fake, file);
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        run(List.of("rclone", "--config", rcloneConf.toString(), "copy", file.toString(), "s3proxy:bench/rclone-" + r + "/"));
        rclone.add(seconds(t0));

        MirrorFile.S3 cfg = new MirrorFile.S3("bench", server.endpoint(), "auto", "bench", "d4c-" + r + "/", true, null,
            "A", "S", null, "default", 16, 4, false);
        Release rel = new Release("big", "1.0.0", null, List.of(new ReleaseFile(file.getFileName().toString(), file, size, sha,
            "application/octet-stream")));
        t0 = System.nanoTime();
        try (S3Mirror m = new S3Mirror(cfg, Credentials.of(Map.of("A", "bench", "S", "bench-secret")), work.resolve("state"))) {
          m.publish(rel, Progress.NONE);
        }
        d4c.add(seconds(t0));

        Path out = work.resolve("mk-" + r + ".torrent");
        Files.deleteIfExists(out);
        t0 = System.nanoTime();
        run(List.of("mktorrent", "-t", "2", "-l", String.valueOf(log2), "-a", "http://127.0.0.1/announce", "-o", out.toString(), file.toString()));
        mk.add(seconds(t0));

        t0 = System.nanoTime();
        TorrentMaker.of(fake).threads(2).make();
        tm.add(seconds(t0));
        System.out.printf("round %d: rclone %.2f s, d4c s3 %.2f s, mktorrent %.2f s, d4c torrent %.2f s%n", r + 1,
            rclone.get(r), d4c.get(r), mk.get(r), tm.get(r));
      }
      double mb = size / 1e6;
      System.out.printf("bytes %d, piece size %d%n", size, piece);
      System.out.printf("upload_rclone_median_s %.2f (%.0f MB/s)%n", median(rclone), mb / median(rclone));
      System.out.printf("upload_d4c_median_s %.2f (%.0f MB/s)%n", median(d4c), mb / median(d4c));
      System.out.printf("upload_ratio_d4c_over_rclone_throughput %.2f%n", median(rclone) / median(d4c));
      System.out.printf("torrent_mktorrent_median_s %.2f (%.0f MB/s)%n", median(mk), mb / median(mk));
      System.out.printf("torrent_d4c_median_s %.2f (%.0f MB/s)%n", median(tm), mb / median(tm));
      System.out.printf("torrent_ratio_d4c_over_mktorrent_throughput %.2f%n", median(mk) / median(tm));
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static void run(List<String> cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("AWS_CA_BUNDLE"); // rclone fails while it is set
    Process p = pb.start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
  }
}
