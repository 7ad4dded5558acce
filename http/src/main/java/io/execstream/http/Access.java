package io.execstream.http;

import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;

/**
 * Who may do what: a request passes with an {@value #API_KEY_HEADER} header whose key opens its
 * project, or, where a stream's token is accepted (its event stream and viewer page), with that
 * stream's token. A key is never read from a query string, where it would land in logs and
 * browser history. Transports call this before they do anything else with a request.
 */
public final class Access {
    /** The header that carries an API key. */
    public static final String API_KEY_HEADER = "X-API-Key";

    private final ApiKeys keys;
    private final StreamTokens tokens;

    public Access(ApiKeys keys, StreamTokens tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    /**
     * The grant of the key presented in the header.
     *
     * @param keyHeader the {@value #API_KEY_HEADER} header's value, or null
     * @throws RequestRefusedException {@code 401 unauthorized} when it is missing or no key of ours
     */
    public ApiKeys.Grant requireKey(String keyHeader) {
        return keys.check(keyHeader).orElseThrow(() ->
                RequestRefusedException.unauthorized("send a valid API key in the " + API_KEY_HEADER + " header"));
    }

    /**
     * A request about {@code project} (or about no project, when it is null) with a key.
     *
     * @throws RequestRefusedException {@code 401} without a valid key, {@code 403} when the key does not open the project
     */
    public void authorize(String project, String keyHeader) {
        ApiKeys.Grant grant = requireKey(keyHeader);
        if (project != null && !grant.allows(ProjectId.of(project))) {
            throw RequestRefusedException.forbidden("this API key is not allowed for project " + project);
        }
    }

    /**
     * A request about one stream, which also opens with that stream's token: the token when one
     * is given, else the key as {@link #authorize} checks it.
     *
     * @throws RequestRefusedException {@code 401} or {@code 403}
     */
    public void authorizeStream(String project, String stream, String keyHeader, String token) {
        if (token != null) {
            checkToken(project, stream, token);
        } else {
            authorize(project, keyHeader);
        }
    }

    private void checkToken(String project, String stream, String token) {
        StreamTokens.Verdict verdict;
        try {
            verdict = tokens.check(ProjectId.of(project), StreamId.of(stream), token);
        } catch (RuntimeException e) {
            verdict = StreamTokens.Verdict.INVALID;
        }
        if (verdict == StreamTokens.Verdict.EXPIRED) {
            throw RequestRefusedException.unauthorized("the stream token has expired; the stream's status has a fresh stream_url");
        }
        if (verdict != StreamTokens.Verdict.VALID) {
            throw RequestRefusedException.unauthorized("the stream token is not valid for this stream");
        }
    }
}
