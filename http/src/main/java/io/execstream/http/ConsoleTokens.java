package io.execstream.http;

import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import java.time.Duration;

/**
 * Console tokens: read-only capabilities for one project's console page and its event stream
 * ({@code GET /projects/{project}/console} and {@code GET /projects/{project}/events}), so that the
 * page's EventSource, which cannot send {@code X-API-Key}, can follow the project. They have the
 * form and the signature of {@link StreamTokens} (the same secret, so every node that shares it
 * accepts them), bound to the project and to a subject no stream id can be, so a console token
 * opens no stream and a stream token no console. They live {@link #TTL}, or the stream tokens'
 * lifetime if shorter: a console left open longer is opened again with a key.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConsoleTokens {
    /** The longest a console token opens its project's console. */
    public static final Duration TTL = Duration.ofHours(8);
    /** What a console token is for; the slash keeps it apart from every stream id. */
    private static final String SUBJECT = "console/";

    private final StreamTokens tokens;

    public ConsoleTokens(StreamTokens tokens) {
        this.tokens = tokens;
    }

    /** A token that opens {@code project}'s console and its events. */
    public String issue(ProjectId project) {
        return tokens.issue(project, SUBJECT, TTL);
    }

    /**
     * Lets a console token of {@code project} through.
     *
     * @throws RequestRefusedException {@code 401 unauthorized} saying what to do, for a token that
     *                                 does not open this project's console now
     */
    public void require(ProjectId project, String token) {
        StreamTokens.Verdict verdict = tokens.check(project, SUBJECT, token);
        switch (verdict) {
            case VALID -> {
            }
            case EXPIRED -> throw RequestRefusedException.unauthorized(
                    "the console token has expired; open /projects/" + project.value() + "/console with an API key again");
            case FOREIGN -> throw RequestRefusedException.unauthorized("the console token was signed by another server, or "
                    + "by this one before it restarted, with another --token-secret; open the console with an API key again");
            case INVALID -> throw RequestRefusedException.unauthorized("the token does not open the console of project "
                    + project.value() + "; open /projects/" + project.value() + "/console with an API key");
        }
    }
}
