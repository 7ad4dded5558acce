package io.execstream.http;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The security headers every answer of the API carries, errors included. The API serves JSON and
 * event streams, never a page, so the policy allows nothing to load or frame it; and since a
 * {@code stream_url} carries a token, no referrer leaves with it. The viewer page sets a policy
 * of its own ({@link ViewerPage#CONTENT_SECURITY_POLICY}), which a transport keeps.
 */
public final class SecurityHeaders {
    /** Header name to value. */
    public static final Map<String, String> HEADERS = Map.of(
            "X-Content-Type-Options", "nosniff",
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    private SecurityHeaders() {
    }

    /**
     * Puts every header with {@code put}, except a {@code Content-Security-Policy} that the answer
     * already has ({@code has}): a page of the API's own sets the policy it needs.
     */
    public static void apply(Predicate<String> has, BiConsumer<String, String> put) {
        HEADERS.forEach((name, value) -> {
            if (!name.equals("Content-Security-Policy") || !has.test(name)) {
                put.accept(name, value);
            }
        });
    }
}
