package org.d4c.transforms.progress;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

class LocalProgressTest {
  @Test
  void stepsReadInRecipeOrderWithRowsInAndOut() {
    LocalProgress.reset();
    LocalProgress.step("counts step 10 (narrow_types) in").addAndGet(5);
    LocalProgress.step("counts step 2 (pivot) out").addAndGet(2000);
    LocalProgress.step("counts step 2 (pivot) in").addAndGet(4_008_000);
    LocalProgress.step("counts step 1 (distinct) in").addAndGet(4_008_000);
    LocalProgress.step("counts step 1 (distinct) rejected").addAndGet(3); // not a row count of the display
    assertThat(LocalProgress.steps(), is("counts step 1 (distinct) 4,008,000 · counts step 2 (pivot) 4,008,000→2,000"
        + " · counts step 10 (narrow_types) 5"));
    LocalProgress.reset();
    assertThat(LocalProgress.steps(), is(""));
  }
}
