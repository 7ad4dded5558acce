package io.execstream.jaxrs;

import io.execstream.domain.RequestRefusedException;
import io.execstream.http.Access;
import io.execstream.http.ApiKeys;
import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;

/**
 * Lets a request to the API's resources through only as {@link Access} allows: an
 * {@code X-API-Key} that opens its project and whose role may do what is asked, or, where a method
 * accepts it, the stream's token (reading) or its control token (acting, in {@code Authorization: Bearer}).
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

    /**
     * A resource method that acts on one stream, which also takes that stream's control token in
     * {@code Authorization: Bearer} instead of a key.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface AcceptsControlToken {
    }

    private static final String BEARER = "Bearer ";

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
        ApiKeys.Role needed = roleFor(request);
        String action = request.getMethod() + " /" + request.getUriInfo().getPath(false);
        if (token != null && needed != ApiKeys.Role.VIEWER) {
            // A query string lands in logs and browser history: a token that acts never travels there.
            throw RequestRefusedException.unauthorized("a token in the query string only reads a stream: send a control "
                    + "token in the Authorization: Bearer header, or an API key in " + Access.API_KEY_HEADER);
        }
        if (token != null && method.isAnnotationPresent(AcceptsStreamToken.class)) {
            access.authorizeStream(path.getFirst("project"), path.getFirst("stream"), key, token);
        } else if (method.isAnnotationPresent(AcceptsControlToken.class)) {
            // The name of the key that acts, or that asked for the control token; never the key or the token.
            request.setProperty(KEY_NAME, access.authorizeControl(path.getFirst("project"), path.getFirst("stream"), key,
                    bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION)), action));
        } else {
            // The key's name, for what the stream records of who did something; never the key.
            request.setProperty(KEY_NAME, access.authorize(path.getFirst("project"), key, needed, action).name());
        }
    }

    /** The token of an {@code Authorization: Bearer} header, or null without one. */
    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw RequestRefusedException.unauthorized("the Authorization header takes a control token as 'Bearer TOKEN'");
        }
        return authorization.substring(BEARER.length()).trim();
    }
}
