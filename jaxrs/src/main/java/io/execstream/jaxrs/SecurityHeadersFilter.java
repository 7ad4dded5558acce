package io.execstream.jaxrs;

import io.execstream.http.EventStreams;
import io.execstream.http.SecurityHeaders;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;

/**
 * Puts the API's security headers on every answer of its resources, errors included, and an
 * event stream's own headers on event streams. A page of the API's own (the stream viewer) sets
 * the policy it needs; it keeps it.
 */
@ExecStreamApi
final class SecurityHeadersFilter implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        SecurityHeaders.HEADERS.forEach((name, value) -> {
            if (!name.equals("Content-Security-Policy") || !response.getHeaders().containsKey(name)) {
                response.getHeaders().putSingle(name, value);
            }
        });
        if (MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(response.getMediaType())) {
            EventStreams.HEADERS.forEach((name, value) -> {
                if (!name.equals("Content-Type")) {
                    response.getHeaders().putSingle(name, value);
                }
            });
        }
    }
}
