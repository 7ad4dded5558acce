package io.execstream.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * JSON for the fake model APIs, through Jackson: a reader into maps, lists, strings, numbers
 * ({@link Long} for whole ones, {@link Double} else), booleans and null, and string quoting for
 * the answers they write by hand.
 */
final class TestJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.USE_LONG_FOR_INTS);

    private TestJson() {
    }

    /** The value {@code text} holds. @throws IllegalArgumentException when it is not JSON */
    static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The text of a message's {@code content} as the model APIs write it: a string, or a list of
     * parts whose {@code text} fields are joined; "" for anything else.
     */
    static String text(Object content) {
        if (content instanceof String s) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        if (content instanceof List<?> parts) {
            for (Object part : parts) {
                if (part instanceof Map<?, ?> p && p.get("text") instanceof String s) {
                    b.append(s);
                }
            }
        }
        return b.toString();
    }

    /** {@code s} as a JSON string, quoted and escaped. */
    static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string is always JSON", e);
        }
    }
}
