package org.d4c.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import org.d4c.catalog.CatalogSearch;
import org.junit.jupiter.api.Test;

/** The plain-text table of search hits, with an item that has no geometry (a build of only tables). */
class CatalogTableTest {
  @Test
  void anItemWithoutGeometryShowsADashAsItsBbox() {
    CatalogSearch.Result r = new CatalogSearch.Result(List.of(
        new CatalogSearch.Hit(0, "alpha-1.0.0", "alpha", "1.0.0", "2023-02-03T00:00:00Z", "Alpha 1.0.0", new double[] {-76, 45, -75.5, 45.5}),
        new CatalogSearch.Hit(1, "census-1.0.0", "census", "1.0.0", "2022-02-09T00:00:00Z", "Census 1.0.0", null)), 2);
    assertThat(CatalogCommand.table(r), equalTo(""
        + "id            collection  version  datetime              bbox (W,S,E,N)                 title\n"
        + "alpha-1.0.0   alpha       1.0.0    2023-02-03T00:00:00Z  -76.000,45.000,-75.500,45.500  Alpha 1.0.0\n"
        + "census-1.0.0  census      1.0.0    2022-02-09T00:00:00Z  -                              Census 1.0.0\n"
        + "2 items match\n"));
  }
}
