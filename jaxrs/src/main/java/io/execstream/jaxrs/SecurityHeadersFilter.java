package io.execstream.jaxrs;

import io.execstream.http.EventStreams;
import io.execstream.http.SecurityHeaders;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/**
 * Puts the API's security headers on every answer of its resources, errors included, and on
 * answers to the API's paths that no resource matched (a {@code 404} under {@code /projects/}),
 * and an event stream's own headers on event streams. A page of the API's own (the stream
 * viewer) sets the policy it needs; it keeps it. The application's own resources are left alone.
 */
final class SecurityHeadersFilter implements ContainerResponseFilter {
    @Context
    private ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!ApiPaths.isApiAnswer(resource, request)) {
            return;
        }
        SecurityHeaders.apply(response.getHeaders()::containsKey, response.getHeaders()::putSingle);
        if (MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(response.getMediaType())) {
            EventStreams.HEADERS.forEach((name, value) -> {
                if (!name.equals("Content-Type")) {
                    response.getHeaders().putSingle(name, value);
                }
            });
        }
    }
}
