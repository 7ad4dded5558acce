package io.execstream.server.transport;

import io.execstream.http.SecurityHeaders;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * The standalone server serves nothing but the API, so every answer carries the API's security
 * headers, those of paths no resource matched included; the API's own filter covers its resources,
 * and a page's own policy is kept.
 */
final class AllAnswersHeaders implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        SecurityHeaders.apply(response.getHeaders()::containsKey, response.getHeaders()::putSingle);
    }
}
