package org.d4c.pipelines.build;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a build killed at the wrong moment leaves, and how the next one repairs it. */
class StagingTest {
  @TempDir Path dir;

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void aKillBetweenTheTwoRenamesIsRolledBackAndDeadStagingIsRemoved() throws Exception {
    Path out = dir.resolve("out");
    long dead = deadPid();
    // killed after "old build aside", before "new build into place"
    Path old = Files.createDirectories(dir.resolve(".out.old-" + dead));
    Files.writeString(old.resolve("manifest.json"), "{}");
    Path building = Files.createDirectories(dir.resolve(".out.building-" + dead + "-abc0"));
    Files.writeString(building.resolve("data.parquet"), "partial");
    Path otherTarget = Files.createDirectories(dir.resolve(".other.building-" + dead + "-abc0"));

    List<String> notes = Staging.recover(out);
    assertThat(Files.readString(out.resolve("manifest.json")), is("{}"));
    assertThat(Files.exists(old), is(false));
    assertThat(Files.exists(building), is(false));
    assertThat("another --out's staging is not ours to remove", Files.exists(otherTarget), is(true));
    assertThat(notes, hasItem(containsString("the previous build is back in place")));
    assertThat(notes, hasItem(containsString("staging folder of a killed build")));
  }

  @Test
  void aKillAfterTheSwapDeletesTheOldBuildAndALiveBuildIsLeftAlone() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("manifest.json"), "new");
    Path old = Files.createDirectories(dir.resolve(".out.old-" + deadPid()));
    Path live = Files.createDirectories(dir.resolve(".out.building-" + ProcessHandle.current().pid() + "-x"));
    List<String> notes = Staging.recover(out);
    assertThat(Files.readString(out.resolve("manifest.json")), is("new"));
    assertThat(Files.exists(old), is(false));
    assertThat(Files.exists(live), is(true));
    assertThat(notes, hasSize(1));
  }
}
