package org.d4c.manifests.lock;
import org.d4c.core.hash.Hashing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compares the files of a build folder with what a manifest says they must be (d4c reproduce, the catalog). */
public final class OutputCheck {
  public enum Status { OK, MISSING, SIZE_DIFFERS, SHA256_DIFFERS }

  /** {@code expected}/{@code actual}: the sizes or sha256 that differ, null for OK and MISSING. */
  public record Result(String path, Status status, String expected, String actual) {
    public boolean ok() {
      return status == Status.OK;
    }

    @Override
    public String toString() {
      return switch (status) {
        case OK -> path + ": ok";
        case MISSING -> path + ": missing";
        case SIZE_DIFFERS -> path + ": size differs: expected " + expected + " bytes, got " + actual;
        case SHA256_DIFFERS -> path + ": sha256 differs: expected " + expected + ", got " + actual;
      };
    }
  }

  private OutputCheck() {}

  /** One result per output of the manifest, in its (path) order; sizes are compared first as they are free. */
  public static List<Result> compare(Manifest expected, Path dir) {
    List<Result> results = new ArrayList<>();
    for (Manifest.OutputFile o : expected.outputs()) {
      Path f = dir.resolve(o.path());
      if (!Files.isRegularFile(f)) {
        results.add(new Result(o.path(), Status.MISSING, null, null));
        continue;
      }
      long size;
      try {
        size = Files.size(f);
      } catch (IOException e) {
        results.add(new Result(o.path(), Status.MISSING, null, null));
        continue;
      }
      if (size != o.size()) {
        results.add(new Result(o.path(), Status.SIZE_DIFFERS, Long.toString(o.size()), Long.toString(size)));
        continue;
      }
      String sha = Hashing.sha256(f);
      results.add(sha.equals(o.sha256()) ? new Result(o.path(), Status.OK, null, null)
          : new Result(o.path(), Status.SHA256_DIFFERS, o.sha256(), sha));
    }
    return results;
  }

  public static boolean allOk(List<Result> results) {
    return results.stream().allMatch(Result::ok);
  }
}
