package org.d4c.pipelines.cli;

import static org.d4c.pipelines.cli.Fixtures.d4c;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.d4c.core.error.ExitCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's exit-code table, code by code, through the real command line: each documented code is produced by the
 * case the table names, and the table, {@link ExitCode} and this test list the same codes.
 */
class ExitCodesIT {
  @TempDir static Path tmp;
  static Path data;
  static Path cache;
  static Path good;
  static Path build;
  static final Map<Integer, String> RAN = new TreeMap<>();

  static final String HEAD = """
      dataset: exit-codes
      version: 1.0.0
      title: Exit codes
      license: CC0-1.0
      datetime: 2024-01-01
      %s
      sources:
        - id: src
          urls: [places.gpkg]
      """;

  @BeforeAll
  static void setUp() throws Exception {
    Fixtures.useStableHome();
    data = Files.createDirectories(tmp.resolve("data"));
    cache = tmp.resolve("cache");
    Fixtures.geoPackage(data.resolve("places.gpkg"), Map.of("places", Fixtures.places(10, 7, 5))); // 2 without geometry
    good = Fixtures.lock(Fixtures.recipe(data.resolve("good.yaml"), HEAD.formatted("max_reject_fraction: 0.5")), cache);
    build = tmp.resolve("out/exit-codes");
  }

  @AfterAll
  static void restoreHome() {
    Fixtures.restoreHome();
  }

  static Fixtures.Run expect(int code, String why, String... args) {
    Fixtures.Run r = d4c(args);
    assertThat(why + "\n" + r, r.exitCode(), is(code));
    RAN.merge(code, why, (a, b) -> a + "; " + b);
    return r;
  }

  /** The codes of the README's table (the one under "Exit codes"). */
  static TreeSet<Integer> readmeCodes() throws Exception {
    String readme = Files.readString(Fixtures.HOME.resolve("README.md"), StandardCharsets.UTF_8);
    String table = readme.substring(readme.indexOf("Exit codes"));
    table = table.substring(table.indexOf("| code |"));
    table = table.substring(0, table.indexOf("\n\n"));
    TreeSet<Integer> codes = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\| (\\d+) \\|").matcher(table);
    while (m.find()) codes.add(Integer.parseInt(m.group(1)));
    return codes;
  }

  @Test
  void everyDocumentedCodeComesFromTheCaseTheReadmeNames() throws Exception {
    // 0: it worked.
    expect(0, "a build", "build", good.toString(), "--out", build.toString(), "--cache", cache.toString());

    // 2: a bad command line, option value, recipe or catalog; `catalog validate` finding problems.
    expect(2, "an unknown option", "build", good.toString(), "--out", build.toString(), "--no-such-option");
    expect(2, "a bad option value", "build", good.toString(), "--out", build.toString(), "--parallelism", "many");
    Path badRecipe = Fixtures.recipe(data.resolve("bad.yaml"), HEAD.formatted("max_reject_fraction: 2"));
    expect(2, "an invalid recipe", "build", badRecipe.toString(), "--out", tmp.resolve("bad").toString());
    Path select = Fixtures.lock(Fixtures.recipe(data.resolve("select.yaml"), HEAD.formatted("") + """
        outputs:
          - name: x
            source: src
            select: [nom, nosuchfield]
        """), cache);
    expect(2, "a select of a field the source lacks (a recipe mistake)", "build", select.toString(), "--out",
        tmp.resolve("select").toString(), "--cache", cache.toString());
    Path catalog = tmp.resolve("catalog");
    expect(0, "catalog add", "catalog", "add", build.toString(), "--catalog", catalog.toString());
    Path broken = Files.createDirectories(tmp.resolve("broken-catalog"));
    Fixtures.copyTree(catalog, broken);
    Files.writeString(broken.resolve("catalog.json"), "{\"type\": \"Catalog\"}");
    expect(2, "catalog validate found problems", "catalog", "validate", broken.toString());

    // 3: a source problem (here: the bytes are not the locked ones).
    Files.createDirectories(data.resolve("changed"));
    Files.copy(data.resolve("places.gpkg"), data.resolve("changed/own.gpkg"));
    Path changed = Fixtures.lock(Fixtures.recipe(data.resolve("changed/recipe.yaml"),
        HEAD.formatted("").replace("places.gpkg", "own.gpkg")), cache);
    Files.writeString(data.resolve("changed/own.gpkg"), "not the locked bytes", StandardCharsets.UTF_8);
    expect(3, "a source whose bytes are not the locked ones", "build", changed.toString(), "--out",
        tmp.resolve("changed-out").toString(), "--cache", tmp.resolve("other-cache").toString());

    // 4: too many rejects (2 of 10 without geometry, none allowed).
    Path strict = Fixtures.lock(Fixtures.recipe(data.resolve("strict.yaml"), HEAD.formatted("max_reject_fraction: 0")), cache);
    expect(4, "more rejects than max_reject_fraction", "build", strict.toString(), "--out", tmp.resolve("strict").toString(),
        "--cache", cache.toString());

    // 5: reproduce found different bytes (a manifest that records another sha256).
    ObjectNode m = (ObjectNode) Fixtures.readJson(build.resolve("manifest.json"));
    ObjectNode out = (ObjectNode) m.path("outputs").get(0);
    String sha = out.path("sha256").asText();
    out.put("sha256", (sha.charAt(0) == '0' ? "1" : "0") + sha.substring(1));
    Path tampered = Files.createDirectories(tmp.resolve("tampered")).resolve("manifest.json");
    Files.write(tampered, Fixtures.JSON.writeValueAsBytes(m));
    expect(5, "reproduce found different bytes", "reproduce", tampered.toString(), "--cache", cache.toString());

    // 6 and 1: publish to a folder mirror, change a byte there, verify; a mirror that does not answer. Published: a
    // recipe of the repository, whose source bundle finds its sources there.
    Path release = tmp.resolve("out/ca-provinces");
    expect(0, "a build", "build", Fixtures.HOME.resolve("pipelines/recipes/ca-provinces/recipe.yaml").toString(),
        "--out", release.toString(), "--cache", cache.toString());
    Path mirrors = Files.writeString(tmp.resolve("mirrors.yaml"), """
        mirrors:
          - id: folder
            type: local
            path: mirror
            public_url: http://127.0.0.1:8750/
        """);
    expect(0, "publish", "publish", release.toString(), "--mirrors", mirrors.toString(), "--catalog", catalog.toString());
    Path published = tmp.resolve("mirror/ca-provinces-1.0.0/provinces.parquet");
    try (RandomAccessFile raf = new RandomAccessFile(published.toFile(), "rw")) {
      raf.seek(100);
      int b = raf.read();
      raf.seek(100);
      raf.write(b ^ 1);
    }
    Fixtures.Run bad = expect(6, "verify found a changed file", "verify", release.toString(), "--mirrors", mirrors.toString());
    assertThat(bad.err(), containsString("provinces.parquet"));

    Files.writeString(tmp.resolve("credentials"), "[default]\naws_access_key_id = k\naws_secret_access_key = s\n");
    Path down = Files.writeString(tmp.resolve("down.yaml"), """
        mirrors:
          - id: down
            type: s3
            endpoint: http://127.0.0.1:1
            region: auto
            bucket: d4c
            public_url: http://127.0.0.1:1/d4c/
            credentials_file: credentials
        """);
    Fixtures.Run failed = expect(1, "a mirror that does not answer (run it again: it resumes)", "publish", release.toString(),
        "--mirrors", down.toString(), "--catalog", catalog.toString());
    assertThat(failed.all(), containsString("down"));

    System.err.println("[test] exit codes run: " + RAN);
    TreeSet<Integer> documented = readmeCodes();
    assertThat("the README's table lists every ExitCode",
        documented, equalTo(new TreeSet<>(Arrays.stream(ExitCode.values()).map(ExitCode::code).toList())));
    assertThat("each documented code was produced here", new TreeSet<>(RAN.keySet()), equalTo(documented));
  }
}
