package dev.nnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nnc.runtime.NncException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesAllValueKinds() {
    Object v = Json.parse(" {\"a\": [1, -2.5e1, true, false, null], \"b\\u00e9\\n\": \"x\\\"y\", \"c\": {}} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(Arrays.asList(1L, -25.0, true, false, null), m.get("a"));
    assertEquals("x\"y", m.get("bé\n"));
    assertEquals(Map.of(), m.get("c"));
    assertEquals(List.of("a", "bé\n", "c"), List.copyOf(m.keySet()));
    assertNull(Json.parse("null"));
  }

  @Test
  void integersBeyondALongAreNumbers() {
    // a 20-digit integer is a valid JSON number (the --at value of issue 15 item 13)
    assertEquals(1e20, Json.parse("99999999999999999999"));
    assertEquals(-1e20, Json.parse("-100000000000000000000"));
    assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
  }

  @Test
  void writesWhatItReads() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name\t\"q\"", List.of(1L, 2.5, "s"));
    m.put("n", Map.of("k", true));
    String text = Json.write(m);
    assertEquals("{\"name\\u0009\\\"q\\\"\":[1,2.5,\"s\"],\"n\":{\"k\":true}}", text);
    assertEquals(m, Json.parse(text));
  }

  @Test
  void rejectsGarbageWithThePosition() {
    String[] bad = {"", "{", "{\"a\":1,}", "[1,]", "01", "1.", "-", "{\"a\" 1}", "{a:1}", "\"abc", "tru",
        "{\"a\":1}x", "\"\t\"", "\"\\x\"", "{\"a\":1,\"a\":2}", "[1 2]", "NaN", "'a'"};
    for (String text : bad) {
      NncException e = assertThrows(NncException.class, () -> Json.parse(text), text);
      assertEquals(true, e.getMessage().startsWith("bad JSON at character "), e.getMessage());
    }
    assertEquals("bad JSON at character 7: duplicate key \"a\"",
        assertThrows(NncException.class, () -> Json.parse("{\"a\":1,\"a\":2}")).getMessage());
  }
}
