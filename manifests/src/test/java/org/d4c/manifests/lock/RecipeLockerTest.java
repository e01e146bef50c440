package org.d4c.manifests.lock;
import org.d4c.manifests.recipe.Recipes;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.d4c.core.hash.Hashing;
import org.d4c.manifests.sources.SourceCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeLockerTest {
  @TempDir Path tmp;

  static final String RECIPE = """
      # Roads of somewhere. Comments must survive locking.
      dataset: roads   # inline comment
      version: 1.0.0
      title: Roads ★ with a non-BMP 𝔾 character
      license: CC0-1.0
      sources:
        # the main file
        - id: a
          urls:
            - data/a.csv   # first choice
            - https://example.invalid/a.csv
          layer: a        # kept after the inserted lines

        - id: b
          urls: [data/b.csv]
          sha256: "0000000000000000000000000000000000000000000000000000000000000000"
          size: 3 # stale
          where: "x > 1"
        - {id: c, urls: [data/c.csv]}
        - id: d
          urls: [data/d.csv]
          sha256:
      outputs:
        - {name: a, source: a}
        - {name: b, source: b}
        - {name: c, source: c}
        - {name: d, source: d}
      """;

  @Test
  void writesLocksKeepingCommentsAndLayout() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("recipe/data"));
    for (String n : List.of("a", "b", "c", "d")) Files.writeString(dir.resolve(n + ".csv"), "content " + n);
    Path file = tmp.resolve("recipe/recipe.yaml");
    Files.writeString(file, RECIPE);
    SourceCache cache = new SourceCache(tmp.resolve("cache"));

    List<RecipeLocker.Change> changes = RecipeLocker.lock(file, cache);

    String a = Hashing.sha256("content a".getBytes(StandardCharsets.UTF_8));
    String b = Hashing.sha256("content b".getBytes(StandardCharsets.UTF_8));
    String c = Hashing.sha256("content c".getBytes(StandardCharsets.UTF_8));
    String d = Hashing.sha256("content d".getBytes(StandardCharsets.UTF_8));
    assertThat(changes, hasSize(4));
    assertThat(changes.get(0).oldSha256(), nullValue());
    assertThat(changes.get(1).oldSize(), equalTo(3L));
    assertThat(Files.readString(file), equalTo("""
        # Roads of somewhere. Comments must survive locking.
        dataset: roads   # inline comment
        version: 1.0.0
        title: Roads ★ with a non-BMP 𝔾 character
        license: CC0-1.0
        sources:
          # the main file
          - id: a
            urls:
              - data/a.csv   # first choice
              - https://example.invalid/a.csv
            sha256: %s
            size: 9
            layer: a        # kept after the inserted lines

          - id: b
            urls: [data/b.csv]
            sha256: %s
            size: 9 # stale
            where: "x > 1"
          - {id: c, urls: [data/c.csv], sha256: %s, size: 9}
          - id: d
            urls: [data/d.csv]
            sha256: %s
            size: 9
        outputs:
          - {name: a, source: a}
          - {name: b, source: b}
          - {name: c, source: c}
          - {name: d, source: d}
        """.formatted(a, b, c, d)));
    assertThat(Recipes.load(file).isLocked(), equalTo(true));
    // Locking again changes nothing and leaves the bytes alone.
    String before = Files.readString(file);
    assertThat(RecipeLocker.lock(file, cache), empty());
    assertThat(Files.readString(file), equalTo(before));
  }

  @Test
  void keepsCrlfLineEndings() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("r"));
    Files.writeString(dir.resolve("x.csv"), "x");
    Path file = dir.resolve("recipe.yaml");
    Files.writeString(file, "dataset: x\r\nversion: 1.0.0\r\ntitle: X\r\nlicense: MIT\r\nsources:\r\n  - id: x\r\n    urls: [x.csv]");
    RecipeLocker.lock(file, new SourceCache(tmp.resolve("cache")));
    assertThat(Files.readString(file), equalTo("dataset: x\r\nversion: 1.0.0\r\ntitle: X\r\nlicense: MIT\r\nsources:\r\n  - id: x\r\n    urls: [x.csv]\r\n"
        + "    sha256: " + Hashing.sha256("x".getBytes(StandardCharsets.UTF_8)) + "\r\n    size: 1\r\n"));
  }
}
