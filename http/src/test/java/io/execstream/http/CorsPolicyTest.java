package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which origins a policy allows, and the headers it answers them with. */
class CorsPolicyTest {
    @Test
    void originsAreComparedAsBrowsersSendThem() {
        CorsPolicy cors = CorsPolicy.of(List.of("HTTPS://App.Example.com", "http://localhost:80", "http://127.0.0.1:5173",
                "https://[::1]:8443"));
        assertEquals(List.of("http://127.0.0.1:5173", "http://localhost", "https://[::1]:8443", "https://app.example.com"),
                cors.origins());
        for (String allowed : List.of("https://app.example.com", "http://localhost", "http://127.0.0.1:5173", "https://[::1]:8443")) {
            assertTrue(cors.allows(allowed), allowed);
        }
        for (String other : List.of("https://app.example.com:443", "http://app.example.com", "https://evil.example.com",
                "https://app.example.com.evil", "http://localhost:8080", "null", "", "HTTPS://APP.EXAMPLE.COM")) {
            assertFalse(cors.allows(other), other);
        }
        assertFalse(cors.allows(null));
    }

    @Test
    void starAllowsEveryOriginButNull() {
        CorsPolicy any = CorsPolicy.of(List.of("*"));
        assertTrue(any.allows("https://anything.example"));
        assertTrue(any.allows("http://localhost:3000"));
        assertFalse(any.allows("null"), "the origin of sandboxed frames and files");
        assertFalse(any.allows("not an origin"));
        assertEquals(List.of("*"), any.origins());
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.example.com", "https://app.example.com/", "https://app.example.com/x", "https://",
            "https://app.example.com:0", "https://app.example.com:65536", "https://user@app.example.com", "null",
            "https://app.example.com?q", "https://app_example.com", "*.example.com", ""})
    void aValueThatIsNotAnOriginIsRefused(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CorsPolicy.of(List.of(value)));
        assertTrue(e.getMessage().contains("not an origin"), e.getMessage());
    }

    @Test
    void answersOfAnAllowedOriginEchoItAndVary() {
        CorsPolicy cors = CorsPolicy.of(List.of("https://app.example.com"));
        assertEquals(Map.of("Vary", "Origin", "Access-Control-Allow-Origin", "https://app.example.com",
                "Access-Control-Expose-Headers", CorsPolicy.EXPOSED_HEADERS), cors.answerHeaders("https://app.example.com"));
        // The answer depends on the origin, for a cache between: Vary, whatever the origin.
        assertEquals(Map.of("Vary", "Origin"), cors.answerHeaders("https://evil.example.com"));
        assertEquals(Map.of("Vary", "Origin"), cors.answerHeaders(null));
    }

    @Test
    void preflightsOfAnAllowedOriginSayWhatItMaySend() {
        CorsPolicy cors = CorsPolicy.of(List.of("https://app.example.com"));
        Map<String, String> allowed = cors.preflightHeaders("https://app.example.com", "POST, OPTIONS");
        assertEquals("https://app.example.com", allowed.get("Access-Control-Allow-Origin"));
        assertEquals("POST, OPTIONS", allowed.get("Access-Control-Allow-Methods"));
        assertEquals("Authorization, Content-Type, Last-Event-ID, X-API-Key", allowed.get("Access-Control-Allow-Headers"));
        assertEquals("600", allowed.get("Access-Control-Max-Age"));
        assertFalse(allowed.containsKey("Access-Control-Allow-Credentials"));
        assertEquals(Map.of("Vary", "Origin"), cors.preflightHeaders("https://evil.example.com", "POST, OPTIONS"));
    }

    @Test
    void offByDefault() {
        assertFalse(CorsPolicy.NONE.isEnabled());
        assertEquals(CorsPolicy.NONE, CorsPolicy.of(List.of()));
        assertEquals(Map.of(), CorsPolicy.NONE.answerHeaders("https://app.example.com"));
        assertEquals(Map.of(), CorsPolicy.NONE.preflightHeaders("https://app.example.com", "GET"));
    }
}
