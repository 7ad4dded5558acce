package io.execstream.jaxrs;

import io.execstream.http.CorsPolicy;
import io.execstream.http.HttpOptions;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.Map;

/**
 * Answers {@code OPTIONS} as {@link HttpOptions} says, and puts the {@link CorsPolicy}'s headers on
 * every other answer, errors and event streams included.
 *
 * <p>Jersey answers {@code OPTIONS} on every resource by itself, before any filter bound to the
 * resource (so without a key), with {@code 200}, an {@code Allow} of the resource's methods and a
 * {@code text/plain} or WADL body. This keeps its {@code Allow} and makes that answer the API's,
 * the same as the standalone server's fast path gives its event streams.
 */
abstract class OptionsAndCorsFilter implements ContainerResponseFilter {
    private final CorsPolicy cors;

    private OptionsAndCorsFilter(CorsPolicy cors) {
        this.cors = cors;
    }

    /** Whether this filter takes the answer to {@code request}. */
    abstract boolean takes(ContainerRequestContext request);

    /** On the API's answers ({@link ApiPaths#isApiAnswer}): the feature's own. */
    static final class OnApiAnswers extends OptionsAndCorsFilter {
        @Context
        private ResourceInfo resource;

        OnApiAnswers(CorsPolicy cors) {
            super(cors);
        }

        @Override
        boolean takes(ContainerRequestContext request) {
            return ApiPaths.isApiAnswer(resource, request);
        }
    }

    /**
     * On the paths that are not the API's, for a server that serves nothing but the API and a few
     * paths of its own. It holds nothing injected, since one instance may be registered in more
     * than one application (a test builds the server's twice), and a class of its own, since
     * Jersey takes one provider of each class.
     */
    static final class OnOtherPaths extends OptionsAndCorsFilter {
        OnOtherPaths(CorsPolicy cors) {
            super(cors);
        }

        @Override
        boolean takes(ContainerRequestContext request) {
            return !ApiPaths.isApi(request.getUriInfo().getPath());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!takes(request)) {
            return;
        }
        String origin = request.getHeaderString("Origin");
        Map<String, String> headers;
        if (request.getMethod().equals(HttpMethod.OPTIONS) && response.getStatus() == 200 && !response.getAllowedMethods().isEmpty()) {
            headers = HttpOptions.headers(HttpOptions.allow(response.getAllowedMethods()), cors, origin,
                    request.getHeaderString(HttpOptions.REQUEST_METHOD_HEADER));
            response.setStatus(HttpOptions.STATUS);
            response.setEntity(null);
            response.getHeaders().remove(HttpHeaders.CONTENT_TYPE);
            // A 204 has no body, and says no length either (RFC 9110, 8.6).
            response.getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
        } else {
            headers = cors.answerHeaders(origin);
        }
        MultivaluedMap<String, Object> out = response.getHeaders();
        headers.forEach((name, value) -> {
            Object given = out.getFirst(name);
            // Another Vary (the application's own, or its container's) keeps what it says.
            out.putSingle(name, name.equals("Vary") && given != null && !given.toString().contains(value)
                    ? given + ", " + value : value);
        });
    }
}
