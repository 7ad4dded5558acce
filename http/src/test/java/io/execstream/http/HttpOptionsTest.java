package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The answer to OPTIONS: one Allow order on every transport, and a preflight told apart. */
class HttpOptionsTest {
    @Test
    void allowListsTheMethodsInOneOrderWithHeadAndOptions() {
        assertEquals("GET, HEAD, OPTIONS", HttpOptions.allow(List.of("OPTIONS", "GET")));
        assertEquals("GET, HEAD, OPTIONS", HttpOptions.allow(List.of("HEAD", "GET", "OPTIONS")));
        assertEquals("POST, OPTIONS", HttpOptions.allow(List.of("POST")));
        assertEquals("GET, HEAD, POST, DELETE, OPTIONS, PROPFIND", HttpOptions.allow(List.of("propfind", "delete", "post", "get")));
        assertEquals(EventStreams.ALLOWED_METHODS, HttpOptions.allow(List.of("GET")));
    }

    @Test
    void aPreflightGetsThePolicysAnswerAndAnotherOptionsItsAnswerHeaders() {
        CorsPolicy cors = CorsPolicy.of(List.of("https://app.example.com"));
        Map<String, String> preflight = HttpOptions.headers("POST, OPTIONS", cors, "https://app.example.com", "POST");
        assertEquals("POST, OPTIONS", preflight.get("Allow"));
        assertEquals("POST, OPTIONS", preflight.get("Access-Control-Allow-Methods"));
        Map<String, String> plain = HttpOptions.headers("POST, OPTIONS", cors, "https://app.example.com", null);
        assertEquals("https://app.example.com", plain.get("Access-Control-Allow-Origin"));
        assertEquals(null, plain.get("Access-Control-Allow-Methods"));
        assertEquals(Map.of("Allow", "GET, HEAD, OPTIONS"), HttpOptions.headers("GET, HEAD, OPTIONS", CorsPolicy.NONE, null, null));
    }
}
