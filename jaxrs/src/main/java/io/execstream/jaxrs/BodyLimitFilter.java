package io.execstream.jaxrs;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.RequestRefusedException;
import io.execstream.http.ApiError;
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
        if (!ApiPaths.isApi(request.getUriInfo().getPath())) {
            return;
        }
        long length;
        try {
            length = request.getLength();
        } catch (RuntimeException e) {
            // Two Content-Length headers, even equal ones: where the body ends is unsure, so the
            // connection must not carry another request (RFC 9112, 6.3); the body is left unread,
            // and UnreadBodyFilter closes it. The client's fault, not the server's: no 500, and
            // nothing logged.
            request.abortWith(JsonResponses.error(new ApiError(ErrorCode.INVALID_REQUEST,
                    "the request must have at most one Content-Length header, holding one number")));
            return;
        }
        if (length > maxBytes) {
            throw RequestRefusedException.payloadTooLarge(maxBytes);
        }
    }
}
