package io.execstream.jaxrs;

import io.execstream.http.Access;
import io.execstream.http.ApiKeys;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MultivaluedMap;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;

/**
 * Lets a request to the API's resources through only as {@link Access} allows: an
 * {@code X-API-Key} that opens its project, or, where a method accepts it, the stream's token.
 */
@ExecStreamApi
@Priority(Priorities.AUTHENTICATION)
final class AuthFilter implements ContainerRequestFilter {
    /** A resource method anyone may call, or one that checks access itself. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Public {
    }

    /** A resource method that also takes the stream token in {@code ?token=} instead of a key. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface AcceptsStreamToken {
    }

    /** The request property that holds the name of the key a request was let through with. */
    static final String KEY_NAME = "io.execstream.key-name";

    private final Access access;
    @Context
    private ResourceInfo resource;

    AuthFilter(Access access) {
        this.access = access;
    }

    /**
     * The role a request needs: reading (GET, HEAD) is a viewer's; every other method of the API
     * starts or changes something, which is an operator's. By method rather than route by route,
     * so that a route added later cannot be left open to viewers by mistake.
     */
    static ApiKeys.Role roleFor(ContainerRequestContext request) {
        String method = request.getMethod();
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) ? ApiKeys.Role.VIEWER : ApiKeys.Role.OPERATOR;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Method method = resource.getResourceMethod();
        if (method == null || method.isAnnotationPresent(Public.class)) {
            return;
        }
        MultivaluedMap<String, String> path = request.getUriInfo().getPathParameters();
        String key = request.getHeaderString(Access.API_KEY_HEADER);
        String token = request.getUriInfo().getQueryParameters().getFirst("token");
        if (token != null && method.isAnnotationPresent(AcceptsStreamToken.class)) {
            access.authorizeStream(path.getFirst("project"), path.getFirst("stream"), key, token);
        } else {
            // The key's name, for what the stream records of who did something; never the key.
            request.setProperty(KEY_NAME, access.authorize(path.getFirst("project"), key, roleFor(request),
                    request.getMethod() + " /" + request.getUriInfo().getPath(false)).name());
        }
    }
}
