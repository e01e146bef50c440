package org.d4c.core.json;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanonicalJsonTest {
  record Item(String zeta, double alpha, List<Integer> mid, Map<String, Object> extra) {}

  @Test
  void goldenString() {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("z", 1);
    extra.put("a", new BigDecimal("2.50"));
    extra.put("m", Map.of());
    extra.put("e", List.of());
    String json = CanonicalJson.toString(new Item("é ☃", 0.0001, List.of(3, 1, 2), extra));
    assertThat(json, equalTo("""
        {
          "alpha": 0.0001,
          "extra": {
            "a": 2.5,
            "e": [],
            "m": {},
            "z": 1
          },
          "mid": [
            3,
            1,
            2
          ],
          "zeta": "é ☃"
        }
        """));
  }

  @Test
  void sortsTreeFieldsRecursively() {
    ObjectNode o = CanonicalJson.mapper().createObjectNode();
    o.putObject("b").put("y", 1).put("x", 2);
    o.putArray("a").addObject().put("d", true).put("c", false);
    assertThat(CanonicalJson.toString(o).replaceAll("\\s", ""), equalTo("{\"a\":[{\"c\":false,\"d\":true}],\"b\":{\"x\":2,\"y\":1}}"));
  }

  @Test
  void decimalsHaveOneSpelling() {
    assertThat(CanonicalJson.toString(1.0), equalTo("1\n"));
    assertThat(CanonicalJson.toString(0.1), equalTo("0.1\n"));
    assertThat(CanonicalJson.toString(0.1f), equalTo("0.1\n"));
    assertThat(CanonicalJson.toString(1e21), equalTo("1000000000000000000000\n"));
    assertThat(CanonicalJson.toString(new BigDecimal("1E+3")), equalTo("1000\n"));
    assertThat(CanonicalJson.toString(123456789012L), equalTo("123456789012\n"));
  }

  @Test
  void roundTripKeepsTreesEqual() throws Exception {
    JsonNode t = CanonicalJson.toTree(Map.of("f", 0.05, "n", 5L, "big", 1L << 40));
    JsonNode back = CanonicalJson.mapper().readTree(CanonicalJson.toBytes(t));
    assertThat(back, equalTo(t));
  }

  @Test
  void writesAtomicallyWithTrailingNewlineAndNoCarriageReturn(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("out.json");
    CanonicalJson.write(f, Map.of("k", List.of("v")));
    CanonicalJson.write(f, Map.of("k", List.of("v")));
    byte[] bytes = Files.readAllBytes(f);
    String s = new String(bytes, StandardCharsets.UTF_8);
    assertThat(s, equalTo("{\n  \"k\": [\n    \"v\"\n  ]\n}\n"));
    assertThat(s, not(containsString("\r")));
    try (var files = Files.list(dir)) {
      assertThat(files.toList(), equalTo(List.of(f))); // no temp file left behind
    }
  }
}
