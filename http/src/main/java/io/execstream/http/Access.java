package io.execstream.http;

import io.execstream.core.StreamQueries;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamNotFoundException;

/**
 * Who may do what: a request passes with an {@value #API_KEY_HEADER} header whose key opens its
 * project and whose role may do it, or, where a stream's token is accepted (its event stream and
 * viewer page), with that stream's token, or, where a control token is accepted (what acts on the
 * stream), with that stream's control token in {@code Authorization: Bearer}. A key is never read from a query string, where it would land in logs and
 * browser history. Transports call this before they do anything else with a request.
 */
public final class Access {
    /** The header that carries an API key. */
    public static final String API_KEY_HEADER = "X-API-Key";

    private final ApiKeys keys;
    private final StreamTokens tokens;
    private final StreamQueries streams;

    /**
     * Access with these keys and tokens, which looks up the stream of a token signed with another
     * secret, to say whether it is known here.
     */
    public Access(ApiKeys keys, StreamTokens tokens, StreamQueries streams) {
        this.keys = keys;
        this.tokens = tokens;
        this.streams = streams;
    }

    /** Access without a way to look streams up: a token signed with another secret is refused with 401. */
    public Access(ApiKeys keys, StreamTokens tokens) {
        this(keys, tokens, null);
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
     * @return the key's grant, whose {@linkplain ApiKeys.Grant#name() name} says who asked
     * @throws RequestRefusedException {@code 401} without a valid key, {@code 403} when the key does not open the project
     */
    public ApiKeys.Grant authorize(String project, String keyHeader) {
        ApiKeys.Grant grant = requireKey(keyHeader);
        if (project != null && !grant.allows(ProjectId.of(project))) {
            throw RequestRefusedException.forbidden("this API key is not allowed for project " + project);
        }
        return grant;
    }

    /**
     * A request about {@code project} (or about no project, when it is null) with a key whose
     * role includes {@code needed}.
     *
     * @param action what the request does, for the message of a refusal (e.g. {@code "POST .../cancel"})
     * @return the key's grant
     * @throws RequestRefusedException {@code 401} without a valid key, {@code 403} when the key does
     *                                 not open the project or its role lacks {@code needed}
     */
    public ApiKeys.Grant authorize(String project, String keyHeader, ApiKeys.Role needed, String action) {
        ApiKeys.Grant grant = authorize(project, keyHeader);
        requireRole(grant, needed, action);
        return grant;
    }

    /**
     * Refuses a grant whose role lacks {@code needed}, with a message naming both roles.
     *
     * @throws RequestRefusedException {@code 403 forbidden}
     */
    public static void requireRole(ApiKeys.Grant grant, ApiKeys.Role needed, String action) {
        if (!grant.role().includes(needed)) {
            throw RequestRefusedException.forbidden("this API key has role " + grant.role().wireName() + ", which may not "
                    + action + ": that needs role " + needed.wireName()
                    + (needed == ApiKeys.Role.ADMIN ? "" : " or above") + " (role= in the keys file)");
        }
    }

    /**
     * A request about one stream, which also opens with that stream's token: the token when one
     * is given, else the key as {@link #authorize} checks it.
     *
     * <p>A token signed with another secret (another server's, or this one's before a restart)
     * cannot be checked. If this server does not know its stream either, that is what the client
     * is told, with {@code 404}: the stream is gone, as a token of this server would find too.
     * Otherwise it is {@code 401}, saying the token is from another server or an earlier start.
     *
     * @throws RequestRefusedException {@code 401}, {@code 403}, or {@code 404} for a token of
     *                                 another secret whose stream this server does not know
     */
    public void authorizeStream(String project, String stream, String keyHeader, String token) {
        if (token != null) {
            checkToken(project, stream, token);
        } else {
            authorize(project, keyHeader);
        }
    }

    /**
     * A request that acts on one stream (messages, input, interrupt, close, answers, cancel): a
     * key whose role is operator or above, or, without a key, that stream's control token sent as
     * {@code Authorization: Bearer}. A read-only stream token is refused here.
     *
     * @param bearer the token of an {@code Authorization: Bearer} header, or null
     * @param action what the request does, for the message of a refusal
     * @return the name the request acts in: the key's, or that of the key that asked for the control token
     * @throws RequestRefusedException {@code 401}, {@code 403}, or {@code 404} as {@link #authorizeStream} says
     */
    public String authorizeControl(String project, String stream, String keyHeader, String bearer, String action) {
        if (keyHeader != null || bearer == null) {
            return authorize(project, keyHeader, ApiKeys.Role.OPERATOR, action).name();
        }
        StreamTokens.Checked checked = checkToken(project, stream, bearer);
        if (!checked.controls()) {
            throw RequestRefusedException.unauthorized("a stream token only reads its stream: to " + action
                    + ", send an API key, or a control token (POST .../control-token) in Authorization: Bearer");
        }
        return checked.issuer();
    }

    /** Whether {@code token} is a valid control token of that stream. */
    public boolean controls(String project, String stream, String token) {
        try {
            return token != null && tokens.verify(ProjectId.of(project), StreamId.of(stream), token).controls();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private StreamTokens.Checked checkToken(String project, String stream, String token) {
        StreamTokens.Checked checked;
        try {
            checked = tokens.verify(ProjectId.of(project), StreamId.of(stream), token);
        } catch (RuntimeException e) {
            checked = new StreamTokens.Checked(StreamTokens.Verdict.INVALID, null);
        }
        StreamTokens.Verdict verdict = checked.verdict();
        if (verdict == StreamTokens.Verdict.FOREIGN) {
            if (!known(project, stream)) {
                throw RequestRefusedException.notFound("stream " + stream + " is not known to this server: its token was "
                        + "issued by another server, or by this one before it restarted (a stream kept in memory does not "
                        + "outlive a restart)");
            }
            throw RequestRefusedException.unauthorized("the stream token was signed by another server, or by this one before "
                    + "it restarted, with another --token-secret; the stream's status has a fresh stream_url");
        }
        if (verdict == StreamTokens.Verdict.EXPIRED) {
            throw RequestRefusedException.unauthorized("the stream token has expired; the stream's status has a fresh stream_url");
        }
        if (verdict != StreamTokens.Verdict.VALID) {
            throw RequestRefusedException.unauthorized("the stream token is not valid for this stream");
        }
        return checked;
    }

    /** Whether the stream can be found here; true when this cannot tell. */
    private boolean known(String project, String stream) {
        if (streams == null) {
            return true;
        }
        try {
            streams.status(ProjectId.of(project), StreamId.of(stream));
            return true;
        } catch (StreamNotFoundException e) {
            return false;
        }
    }
}
