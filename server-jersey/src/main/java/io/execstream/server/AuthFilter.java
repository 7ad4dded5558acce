package io.execstream.server;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import jakarta.annotation.Priority;
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
 * Lets a request through only with an {@code X-API-Key} that opens its project, or, on an event
 * stream, with that stream's token. A key is never read from a query string, where it would land
 * in logs and browser history.
 */
@Priority(Priorities.AUTHENTICATION)
final class AuthFilter implements ContainerRequestFilter {
    static final String API_KEY_HEADER = "X-API-Key";

    /** A resource method anyone may call. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Public {
    }

    /** A resource method that also takes the stream token in {@code ?token=} instead of a key. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface AcceptsStreamToken {
    }

    private final ApiKeys keys;
    private final StreamTokens tokens;
    @Context
    private ResourceInfo resource;

    AuthFilter(ApiKeys keys, StreamTokens tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Method method = resource.getResourceMethod();
        if (method == null || method.isAnnotationPresent(Public.class)) {
            return;
        }
        MultivaluedMap<String, String> path = request.getUriInfo().getPathParameters();
        String token = request.getUriInfo().getQueryParameters().getFirst("token");
        if (token != null && method.isAnnotationPresent(AcceptsStreamToken.class)) {
            checkToken(path, token);
            return;
        }
        ApiKeys.Grant grant = requireKey(keys, request.getHeaderString(API_KEY_HEADER));
        String project = path.getFirst("project");
        if (project != null && !grant.allows(ProjectId.of(project))) {
            throw ApiException.forbidden("this API key is not allowed for project " + project);
        }
    }

    /**
     * The same rule for the event stream, which is served outside JAX-RS: the stream's token in
     * {@code token}, or a key that opens the project.
     *
     * @throws ApiException {@code 401} or {@code 403} as {@link #filter} would answer
     */
    void authorizeStream(String project, String stream, String keyHeader, String token) {
        if (token != null) {
            checkToken(project, stream, token);
            return;
        }
        ApiKeys.Grant grant = requireKey(keys, keyHeader);
        if (!grant.allows(ProjectId.of(project))) {
            throw ApiException.forbidden("this API key is not allowed for project " + project);
        }
    }

    /**
     * The grant of the key presented in the {@value #API_KEY_HEADER} header; for resources that
     * decide for themselves whether they need one.
     *
     * @throws ApiException {@code 401 unauthorized} when it is missing or no key of ours
     */
    static ApiKeys.Grant requireKey(ApiKeys keys, String header) {
        return keys.check(header).orElseThrow(() ->
                ApiException.unauthorized("send a valid API key in the " + API_KEY_HEADER + " header"));
    }

    private void checkToken(MultivaluedMap<String, String> path, String token) {
        checkToken(path.getFirst("project"), path.getFirst("stream"), token);
    }

    private void checkToken(String project, String stream, String token) {
        StreamTokens.Verdict verdict;
        try {
            verdict = tokens.check(ProjectId.of(project), StreamId.of(stream), token);
        } catch (RuntimeException e) {
            verdict = StreamTokens.Verdict.INVALID;
        }
        if (verdict == StreamTokens.Verdict.EXPIRED) {
            throw ApiException.unauthorized("the stream token has expired; the stream's status has a fresh stream_url");
        }
        if (verdict != StreamTokens.Verdict.VALID) {
            throw ApiException.unauthorized("the stream token is not valid for this stream");
        }
    }
}
