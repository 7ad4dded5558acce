package io.execstream.jaxrs;

import io.execstream.domain.InvalidInputException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * Parses the headers Jersey itself reads while matching a request ({@code Content-Type},
 * {@code Accept}) before it does. Jersey answers a header it cannot parse with a bare 400 that
 * bypasses every exception mapper; parsed here first, the failure becomes the API's JSON error.
 */
@PreMatching
@Priority(Priorities.HEADER_DECORATOR)
final class HeaderSyntaxFilter implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        if (!ApiPaths.isApi(request.getUriInfo().getPath())) {
            return;
        }
        try {
            request.getMediaType();
        } catch (RuntimeException e) {
            throw InvalidInputException.invalidRequest("the Content-Type header is not a valid media type");
        }
        try {
            request.getAcceptableMediaTypes();
        } catch (RuntimeException e) {
            throw InvalidInputException.invalidRequest("the Accept header is not a valid list of media types");
        }
    }
}
