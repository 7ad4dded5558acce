package io.execstream.server;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import java.util.Map;

/**
 * Puts the same security headers on every answer of the API, errors included. The API serves
 * JSON and event streams, never a page, so the policy allows nothing to load or frame it; and
 * since a {@code stream_url} carries a token, no referrer leaves with it.
 */
final class SecurityHeadersFilter implements ContainerResponseFilter {
    /** The headers, also set by {@link ProtocolErrors} and {@link ContainerGuard} outside Jersey. */
    static final Map<String, String> HEADERS = Map.of(
            "X-Content-Type-Options", "nosniff",
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        HEADERS.forEach((name, value) -> {
            // A page of the server's own (the stream viewer) sets the policy it needs; it keeps it.
            if (!name.equals("Content-Security-Policy") || !response.getHeaders().containsKey(name)) {
                response.getHeaders().putSingle(name, value);
            }
        });
    }
}
