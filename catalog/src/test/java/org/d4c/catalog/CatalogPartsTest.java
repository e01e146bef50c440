package org.d4c.catalog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The small pieces: multihash, semantic version order, href rewriting, search arguments. */
class CatalogPartsTest {
  @Test
  void multihashIsSha256CodeLengthThenDigest() {
    String hex = "b767b15573967ce5c29a5cac9e0a655cdaa8ca341f3135b7b0bcfcb1d376e60b";
    assertThat(Multihash.sha256(hex), is("1220" + hex));
    assertThat(Multihash.sha256Hex("1220" + hex), is(hex));
    assertThrows(IllegalArgumentException.class, () -> Multihash.sha256("ABC"));
    assertThrows(IllegalArgumentException.class, () -> Multihash.sha256Hex("1114" + hex));
  }

  @Test
  void semverOrderFollowsPrecedence() {
    List<String> v = new ArrayList<>(List.of("1.10.0", "1.2.0", "1.0.0", "1.0.0-rc.1", "1.0.0-alpha", "2.0.0", "1.0.0-rc.10", "1.0.0-rc.2"));
    v.sort(Semver.ORDER);
    assertThat(v, contains("1.0.0-alpha", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0", "1.2.0", "1.10.0", "2.0.0"));
  }

  @Test
  void itemIdsAreUrlSafe() {
    assertThat(ItemFactory.itemId("ca-provinces", "1.0.0"), is("ca-provinces-1.0.0"));
    assertThat(ItemFactory.itemId("ca-provinces", "1.0.0-rc.1+build.5"), is("ca-provinces-1.0.0-rc.1_build.5"));
    assertThat(ItemFactory.assetKey("roads/part-00001.parquet"), is("roads-part-00001"));
  }

  @Test
  void hrefsAreRelocatedBetweenTheCatalogRootAndEachFile() {
    assertThat(Hrefs.relocate("catalog.json", "ca/ca-1.0.0"), is("../../catalog.json"));
    assertThat(Hrefs.relocate("ca/collection.json", "ca/ca-1.0.0"), is("../collection.json"));
    assertThat(Hrefs.relocate("../out/ca/provinces.parquet", "ca/ca-1.0.0"), is("../../../out/ca/provinces.parquet"));
    assertThat(Hrefs.relocate("https://x.org/a.parquet", "ca/ca-1.0.0"), is("https://x.org/a.parquet"));
    assertThat(Hrefs.relocate("ca/ca-1.0.0/ca-1.0.0.json", "ca"), is("ca-1.0.0/ca-1.0.0.json"));
    for (String h : List.of("catalog.json", "../out/x y/p.parquet", "ca/ca-1.0.0/ca-1.0.0.json", "s3://b/k")) {
      assertThat(Hrefs.toRoot(Hrefs.relocate(h, "ca/ca-1.0.0"), "ca/ca-1.0.0"), is(h));
    }
    assertThat(Hrefs.encode(Path.of("out dir", "a:b", "é.parquet")), is("out%20dir/a%3Ab/%C3%A9.parquet"));
    assertThat(Hrefs.expand("https://h/{dataset}/{version}", "ca", "1.0.0"), is("https://h/ca/1.0.0/"));
  }

  @Test
  void searchArgumentsParseLikeStacApiItemSearch() {
    SearchQuery q = SearchQuery.parse("170,-50,-170,-30", "2023-02-03", List.of("a,b", "c"), "canada \"natural earth\", q", 5);
    assertThat(q.collections(), contains("a", "b", "c"));
    assertThat(q.text().toString(), is("[[canada, natural earth], [q]]"));
    assertThat(q.start().toString(), is("2023-02-03T00:00:00Z"));
    assertThat(q.end().toString(), is("2023-02-03T23:59:59.999999Z"));
    SearchQuery open = SearchQuery.parse(null, "../2024-01-01T00:00:00Z", null, null, 1);
    assertThat(open.start() == null, is(true));
    assertThat(open.end().toString(), is("2024-01-01T00:00:00Z"));
    assertThat(SearchQuery.parse(null, "2020", null, null, 1).end().toString(), is("2020-12-31T23:59:59.999999Z"));
    for (String[] bad : new String[][] {{"1,2,3", null}, {"a,2,3,4", null}, {"0,10,1,5", null}, {"0,0,200,1", null},
        {null, "2024-02-30"}, {null, "2024/2023"}, {null, "soon"}, {null, "a/b/c"}}) {
      CatalogException e = assertThrows(CatalogException.class, () -> SearchQuery.parse(bad[0], bad[1], null, null, 1));
      assertThat(e.getMessage(), containsString(bad[0] != null ? "--bbox" : "--datetime"));
    }
    assertThrows(CatalogException.class, () -> SearchQuery.parse(null, null, null, "\"open", 1));
    assertThrows(CatalogException.class, () -> SearchQuery.parse(null, null, null, " , ", 1));
  }

  @Test
  void recipeDatesBecomeRfc3339Instants() {
    Path f = Path.of("manifest.json");
    assertThat(ItemFactory.instant("2023-02-03", false, f, "x"), is("2023-02-03T00:00:00Z"));
    assertThat(ItemFactory.instant("2023-12-31", true, f, "x"), is("2023-12-31T23:59:59Z"));
    assertThat(ItemFactory.instant("2023-02-03T10:00:00+02:00", false, f, "x"), is("2023-02-03T08:00:00Z"));
    assertThrows(CatalogException.class, () -> ItemFactory.instant("03/02/2023", false, f, "recipe.datetime"));
  }
}
