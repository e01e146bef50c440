package org.d4c.transforms.table;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValuesTest {
  @Test
  void integerTextIsWhatThePatternSays() {
    List<String> cases = new ArrayList<>(List.of("", "-", "0", "-0", "00", "01", "-01", "7", "-7", "+7", "1.0", " 1",
        "1 ", "123456789012345678", "1234567890123456789", "-123456789012345678", "-1234567890123456789", "12a",
        "\u0661", "9223372036854775807"));
    Random r = new Random(7);
    String alphabet = "0123456789-+.a ";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int j = r.nextInt(21); j > 0; j--) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      cases.add(b.toString());
    }
    for (String s : cases) {
      assertThat("\"" + s + "\"", Values.isInteger(s), is(Values.INTEGER.matcher(s).matches()));
    }
  }
}
