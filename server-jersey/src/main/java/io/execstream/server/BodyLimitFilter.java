package io.execstream.server;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * Refuses a body whose declared length is over the limit before any of it is read. Bodies sent
 * without a length are cut off at the limit where they are read ({@link RequestBodies}).
 */
@PreMatching
final class BodyLimitFilter implements ContainerRequestFilter {
    private final long maxBytes;

    BodyLimitFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getLength() > maxBytes) {
            throw ApiException.payloadTooLarge(maxBytes);
        }
    }
}
