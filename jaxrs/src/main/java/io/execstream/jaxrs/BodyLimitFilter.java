package io.execstream.jaxrs;

import io.execstream.domain.RequestRefusedException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * Refuses a body whose declared length is over the limit before any of it is read. Bodies sent
 * without a length are cut off at the limit where they are read
 * ({@link io.execstream.http.RequestBodies}).
 */
@PreMatching
final class BodyLimitFilter implements ContainerRequestFilter {
    private final long maxBytes;

    BodyLimitFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getLength() > maxBytes && ApiPaths.isApi(request.getUriInfo().getPath())) {
            throw RequestRefusedException.payloadTooLarge(maxBytes);
        }
    }
}
