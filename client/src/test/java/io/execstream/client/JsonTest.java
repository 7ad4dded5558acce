package io.execstream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's JSON reader and writer, checked against Jackson as the reference. */
class JsonTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    private static final List<String> VALID = List.of(
            "{}", "[]", "0", "-0", "1.5", "-2.5e3", "1E-2", "true", "false", "null", "\"\"",
            "{\"type\":\"stdout\",\"content\":\"a\\nb\\t\\\"c\\\" \\\\ \\/ \\u00e9\\ud83d\\ude00 \\u0000\"}",
            "{\"exit_code\":null,\"duration_ms\":1234,\"status\":\"exited\"}",
            "{\"usage\":{\"input_tokens\":12,\"cache\":[1,2,{\"x\":[]}]},\"total_cost_usd\":0.0731,\"is_error\":false}",
            " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
            "{\"big\":123456789012345678901234567890,\"min\":-9223372036854775808}",
            "\"héllo wörld ✓ 😀\"");

    @Test
    void readsWhatJacksonReadsTheSameWay() throws Exception {
        for (String text : VALID) {
            Object ours = Json.parse(text);
            Object reference = JACKSON.readValue(text, Object.class);
            assertEquals(normalize(reference), normalize(ours), text);
        }
    }

    @Test
    void writesWhatJacksonReadsBack() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("command", List.of("printf", "%s\\n", "quote \" backslash \\ tab \t nl \n cr \r bell \u0007 é 😀"));
        value.put("timeout_ms", 5000L);
        value.put("env", Map.of("A", "1"));
        value.put("none", null);
        value.put("yes", true);
        value.put("pi", 3.25);
        String written = Json.write(value);
        assertEquals(normalize(JACKSON.readValue(written, Object.class)), normalize(value));
        assertEquals(normalize(value), normalize(Json.parse(written)));
    }

    @Test
    void numbersAreLongsWhenIntegralDoublesOtherwise() {
        Map<String, Object> m = Json.parseObject("{\"a\":1,\"b\":1.0,\"c\":1e2,\"d\":99999999999999999999}");
        assertEquals(1L, m.get("a"));
        assertEquals(1.0, m.get("b"));
        assertEquals(100.0, m.get("c"));
        assertEquals(new BigInteger("99999999999999999999"), m.get("d"));
    }

    @Test
    void refusesWhatIsNotJson() {
        for (String text : Arrays.asList("", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "'x'", "01", "1.", ".5",
                "-", "1e", "tru", "nul", "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "{} {}", "[1 2]",
                "{\"a\" 1}", "NaN", "+1")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(text), text);
        }
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThrows(IllegalArgumentException.class, () -> Json.parse(deep), "deep nesting");
        assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[]"));
    }

    /** Numbers compared by value (Jackson reads small integers as Integer), containers recursively. */
    private static Object normalize(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, normalize(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(JsonTest::normalize).toList();
        }
        if (v instanceof Integer || v instanceof Long) {
            return BigInteger.valueOf(((Number) v).longValue());
        }
        if (v instanceof Float || v instanceof Double) {
            return ((Number) v).doubleValue();
        }
        return v;
    }
}
