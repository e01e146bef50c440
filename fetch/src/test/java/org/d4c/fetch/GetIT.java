package org.d4c.fetch;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.d4c.core.error.D4cException;
import org.d4c.core.error.ExitCode;
import org.d4c.core.net.AddressPolicy;
import org.d4c.testing.FaultServer;
import org.d4c.testing.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** d4c get against real servers on loopback: two s3proxy mirrors and a folder mirror with fault switches. */
class GetIT {
  @TempDir Path tmp;

  /** In these tests the host name "localhost" stands for a public mirror; 127.0.0.1 stays loopback. */
  static final AddressPolicy LOCALHOST_IS_PUBLIC = (host, a) -> host.equals("localhost") || AddressPolicy.DEFAULT.isPublic(host, a);

  static Fetch.SourceReport source(Fetch.Summary s, String id) {
    return s.sources().stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
  }

  @Test
  void byteExactWhenThePrimaryS3MirrorIsCorruptAndNamesIt() throws Exception {
    Path s3a = Files.createDirectories(tmp.resolve("s3a"));
    Path s3b = Files.createDirectories(tmp.resolve("s3b"));
    Path folder = Files.createDirectories(tmp.resolve("folder"));
    try (S3Server a = S3Server.start(s3a, 0, null, null); S3Server b = S3Server.start(s3b, 0, null, null);
        FaultServer f = new FaultServer(folder)) {
      List<Published.Mirror> mirrors = List.of(
          new Published.Mirror("r2", Files.createDirectories(s3a.resolve("data")), a.endpoint() + "/data/"),
          new Published.Mirror("source-coop", Files.createDirectories(s3b.resolve("data")), b.endpoint() + "/data/"),
          new Published.Mirror("campus", folder, f.base()));
      Published p = Published.publish(tmp, tmp.resolve("catalog"), mirrors, "roads", "1.0.0", 3_000_000, 1);
      // the primary's blob gets a wrong byte every 16 KiB: whatever it serves of the blob is bad
      try (RandomAccessFile raf = new RandomAccessFile(s3a.resolve("data/roads-1.0.0/extra/blob.bin").toFile(), "rw")) {
        for (long at = 0; at < 3_000_000; at += 16_384) {
          raf.seek(at);
          int x = raf.read();
          raf.seek(at);
          raf.write(x ^ 0xff);
        }
      }
      // the folder mirror is held to 300 kB/s a connection: on a loaded machine it could otherwise finish alone before
      // s3proxy answers its first range request, and the corrupt primary would never be asked
      f.fault("roads-1.0.0/extra/blob.bin", FaultServer.Fault.slow(300_000));
      Fetch.Summary s = Fetch.of(tmp.resolve("catalog").toString()).item("roads").to(tmp.resolve("out")).call();
      Published.assertSame(p.build(), tmp.resolve("out/roads-1.0.0"));
      assertEquals("roads-1.0.0", s.item());
      Fetch.SourceReport r2 = source(s, "primary"); // the r2 mirror: its URL is the assets' href
      org.junit.jupiter.api.Assertions.assertNotNull(r2, s.toJson().toString());
      assertThat(r2.verdict(), startsWith("banned: piece "));
      org.junit.jupiter.api.Assertions.assertNotNull(r2.badPiece());
      assertThat(source(s, "campus").bytes() + source(s, "source-coop").bytes(), greaterThan(0L));
      assertThat(s.toJson().toString(), containsString("\"bad_piece\""));
      assertFalse(Files.exists(tmp.resolve("out/.d4c-get")), "the partial folder is gone");
      // a second get into the same folder refuses to overwrite
      D4cException e = assertThrows(D4cException.class, () -> Fetch.of(tmp.resolve("catalog").toString()).item("roads-1.0.0").to(tmp.resolve("out")).call());
      assertEquals(ExitCode.BAD_INPUT, e.exitCode());
    }
  }

  @Test
  void aTenTimesSlowerMirrorGivesFewBytes() throws Exception {
    try (FaultServer slow = new FaultServer(Files.createDirectories(tmp.resolve("m1")));
        FaultServer fast1 = new FaultServer(Files.createDirectories(tmp.resolve("m2")));
        FaultServer fast2 = new FaultServer(Files.createDirectories(tmp.resolve("m3")))) {
      List<Published.Mirror> mirrors = List.of(new Published.Mirror("a-slow", tmp.resolve("m1"), slow.base()),
          new Published.Mirror("b-fast", tmp.resolve("m2"), fast1.base()), new Published.Mirror("c-fast", tmp.resolve("m3"), fast2.base()));
      Published p = Published.publish(tmp, tmp.resolve("catalog"), mirrors, "lakes", "2.0.0", 6_000_000, 2);
      slow.fault(FaultServer.Fault.slow(200_000));
      fast1.fault(FaultServer.Fault.slow(2_000_000));
      fast2.fault(FaultServer.Fault.slow(2_000_000));
      Fetch.Summary s = Fetch.of(tmp.resolve("catalog").toString()).item("lakes@2.0.0").to(tmp.resolve("out")).call();
      Published.assertSame(p.build(), tmp.resolve("out/lakes-2.0.0"));
      long fromSlow = source(s, "a-slow") == null ? 0 : source(s, "a-slow").bytes();
      assertThat("bytes from the slow mirror: " + s.sources(), (double) fromSlow / s.size(), lessThan(0.15));
    }
  }

  @Test
  void aRedirectToAPrivateAddressIsRefusedAndTheOthersFinish() throws Exception {
    try (FaultServer pub = new FaultServer(Files.createDirectories(tmp.resolve("m1")));
        FaultServer other = new FaultServer(Files.createDirectories(tmp.resolve("m2")));
        FaultServer inside = new FaultServer(Files.createDirectories(tmp.resolve("m2")))) {
      List<Published.Mirror> mirrors = List.of(new Published.Mirror("public", tmp.resolve("m1"), pub.base("localhost")),
          new Published.Mirror("second", tmp.resolve("m2"), other.base("localhost")));
      Published p = Published.publish(tmp, tmp.resolve("catalog"), mirrors, "parks", "1.0.0", 1_000_000, 3);
      pub.fault("parks-1.0.0/extra/blob.bin", FaultServer.Fault.redirect(inside.base("127.0.0.1")));
      Fetch.Summary s = Fetch.of(tmp.resolve("catalog").toString()).item("parks").to(tmp.resolve("out")).addressPolicy(LOCALHOST_IS_PUBLIC).call();
      Published.assertSame(p.build(), tmp.resolve("out/parks-1.0.0"));
      assertThat(inside.requestLines(), empty());
      assertThat(source(s, "primary").verdict(), startsWith("refused"));
    }
  }

  @Test
  void failuresOfEveryKindThenAResumeEndsByteExact() throws Exception {
    List<FaultServer> servers = new ArrayList<>();
    try {
      List<Published.Mirror> mirrors = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        FaultServer f = new FaultServer(Files.createDirectories(tmp.resolve("m" + i)));
        servers.add(f);
        mirrors.add(new Published.Mirror("m" + i, tmp.resolve("m" + i), f.base()));
      }
      Published p = Published.publish(tmp, tmp.resolve("catalog"), mirrors, "rivers", "1.0.0", 2_000_000, 4);
      String blob = "rivers-1.0.0/extra/blob.bin";
      servers.get(0).fault(blob, FaultServer.Fault.status(500));
      servers.get(1).fault(blob, FaultServer.Fault.wrongByte(1_000_000));
      servers.get(2).fault(blob, FaultServer.Fault.tooMany(1));
      servers.get(3).refuse(true);
      servers.get(4).fault(blob, FaultServer.Fault.shortRead(10_000));
      D4cException e = assertThrows(D4cException.class,
          () -> Fetch.of(tmp.resolve("catalog").toString()).item("rivers").to(tmp.resolve("out")).via(Fetch.Via.HTTP).call());
      assertEquals(ExitCode.FAILED, e.exitCode());
      assertThat(e.getMessage(), containsString("run it again"));
      assertThat(e.getMessage(), containsString("m2 banned: piece"));
      int before = servers.get(4).requests().size();
      servers.get(4).clear();
      Fetch.Summary s = Fetch.of(tmp.resolve("catalog").toString()).item("rivers").to(tmp.resolve("out")).via(Fetch.Via.HTTP)
          .locations(1).call();
      Published.assertSame(p.build(), tmp.resolve("out/rivers-1.0.0"));
      assertThat(s.piecesResumed(), greaterThan(0));
      assertEquals(s.pieces() - s.piecesResumed(), s.sources().stream().mapToLong(Fetch.SourceReport::pieces).sum(),
          "verified pieces were fetched again: " + s.toJson());
      assertThat(servers.get(4).requests().size(), greaterThan(before));
    } finally {
      for (FaultServer f : servers) f.close();
    }
  }

  @Test
  void busyMirrorsAreLeftAloneAsLongAsTheyAskThenTheDownloadCompletes() throws Exception {
    try (FaultServer m1 = new FaultServer(Files.createDirectories(tmp.resolve("m1")));
        FaultServer m2 = new FaultServer(Files.createDirectories(tmp.resolve("m2")))) {
      List<Published.Mirror> mirrors = List.of(new Published.Mirror("m1", tmp.resolve("m1"), m1.base()),
          new Published.Mirror("m2", tmp.resolve("m2"), m2.base()));
      Published p = Published.publish(tmp, tmp.resolve("catalog"), mirrors, "dams", "1.0.0", 1_000_000, 6);
      String blob = "dams-1.0.0/extra/blob.bin";
      m1.fault(blob, FaultServer.Fault.busy(503, 2, 2));
      m2.fault(blob, FaultServer.Fault.busy(429, 2, 2));
      Fetch.Summary s = Fetch.of(tmp.resolve("catalog").toString()).item("dams").to(tmp.resolve("out")).via(Fetch.Via.HTTP).call();
      Published.assertSame(p.build(), tmp.resolve("out/dams-1.0.0"));
      for (String id : List.of("primary", "m2")) {
        Fetch.SourceReport r = source(s, id);
        org.junit.jupiter.api.Assertions.assertNotNull(r, s.toJson().toString());
        assertEquals("ok", r.verdict(), s.toJson().toString());
        assertThat("it waited as Retry-After asked: " + s.toJson(), r.waitedMillis(), org.hamcrest.Matchers.greaterThanOrEqualTo(2000L));
      }
      assertThat(s.toJson().toString(), containsString("\"waited_ms\""));
      // each server answered busy twice, then served the blob to the same download
      for (FaultServer f : List.of(m1, m2)) {
        List<Integer> codes = f.requests().stream().filter(r -> r.path().endsWith("/extra/blob.bin")).map(FaultServer.Request::status).toList();
        assertThat(codes.toString(), codes.subList(0, 2).stream().allMatch(c -> c == 503 || c == 429));
        assertThat(codes.toString(), codes.stream().filter(c -> c == 206).count(), greaterThan(0L));
      }
    }
  }

  @Test
  void aMirrorAskingToWaitLongerThanAllowedIsLeftForTheOthers() throws Exception {
    try (FaultServer m1 = new FaultServer(Files.createDirectories(tmp.resolve("m1")));
        FaultServer m2 = new FaultServer(Files.createDirectories(tmp.resolve("m2")))) {
      List<Published.Mirror> mirrors = List.of(new Published.Mirror("m1", tmp.resolve("m1"), m1.base()),
          new Published.Mirror("m2", tmp.resolve("m2"), m2.base()));
      Published p = Published.publish(tmp, tmp.resolve("catalog"), mirrors, "weirs", "1.0.0", 1_000_000, 7);
      m1.fault("weirs-1.0.0/extra/blob.bin", FaultServer.Fault.busy(503, 3600, Integer.MAX_VALUE));
      m2.fault("weirs-1.0.0/extra/blob.bin", FaultServer.Fault.busy(429, 5, Integer.MAX_VALUE));
      // 3600 s is over the default cap (60 s): m1 is left at once; with --max-wait 2 s, so is m2's 5 s
      D4cException e = assertThrows(D4cException.class, () -> Fetch.of(tmp.resolve("catalog").toString()).item("weirs")
          .to(tmp.resolve("out")).via(Fetch.Via.HTTP).maxWait(java.time.Duration.ofSeconds(2)).call());
      assertEquals(ExitCode.FAILED, e.exitCode());
      assertThat(e.getMessage(), containsString("asks to wait 3600 s, more than the 2 s allowed"));
      assertThat(e.getMessage(), containsString("asks to wait 5 s, more than the 2 s allowed"));
      m2.clear();
      Fetch.Summary s = Fetch.of(tmp.resolve("catalog").toString()).item("weirs").to(tmp.resolve("out")).via(Fetch.Via.HTTP).call();
      Published.assertSame(p.build(), tmp.resolve("out/weirs-1.0.0"));
      assertThat(source(s, "primary").verdict(), containsString("asks to wait 3600 s, more than the 60 s allowed"));
      assertEquals(0, source(s, "primary").bytes());
      assertEquals(0, s.piecesResumed());
      assertEquals(s.size(), source(s, "m2").bytes(), s.toJson().toString());
    }
  }

  @Test
  void aHundredConcurrentGets() throws Exception {
    try (FaultServer m1 = new FaultServer(Files.createDirectories(tmp.resolve("m1")));
        FaultServer m2 = new FaultServer(Files.createDirectories(tmp.resolve("m2")));
        FaultServer m3 = new FaultServer(Files.createDirectories(tmp.resolve("m3")))) {
      List<Published.Mirror> mirrors = List.of(new Published.Mirror("m1", tmp.resolve("m1"), m1.base()),
          new Published.Mirror("m2", tmp.resolve("m2"), m2.base()), new Published.Mirror("m3", tmp.resolve("m3"), m3.base()));
      Published p = Published.publish(tmp, tmp.resolve("catalog"), mirrors, "towns", "1.0.0", 1_000_000, 5);
      ExecutorService pool = Executors.newFixedThreadPool(100);
      List<Future<Fetch.Summary>> all = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        Path out = tmp.resolve("out" + i);
        all.add(pool.submit(() -> Fetch.of(tmp.resolve("catalog").toString()).item("towns").to(out).call()));
      }
      for (int i = 0; i < 100; i++) {
        Fetch.Summary s = all.get(i).get();
        assertEquals(p.result().numPieces(), s.pieces());
        Published.assertSame(p.build(), tmp.resolve("out" + i).resolve("towns-1.0.0"));
      }
      pool.shutdown();
    }
  }
}
