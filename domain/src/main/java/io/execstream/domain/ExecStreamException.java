package io.execstream.domain;

import java.util.Objects;

/**
 * The one family of errors execstream raises for a request it refuses, each carrying the
 * {@link ErrorCode} a client sees. A transport maps any member to its answer from {@link #code()}
 * and {@link #getMessage()} alone (the HTTP layer's {@code ApiErrors} does, for every transport),
 * so a new kind of refusal needs a code, not a new branch in every transport.
 *
 * <p>The family is sealed so that it stays that short list; its members all live in this package
 * because a sealed class on the class path (no named module) may only permit classes of its own
 * package. An embedder catches this type for every refusal, or a member for one of them:
 * <ul>
 *   <li>{@link InvalidInputException}: input breaks a rule (400; its code says which);</li>
 *   <li>{@link StreamNotFoundException}: no such stream for that project (404);</li>
 *   <li>{@link UnknownProviderException}: no agent registered under that name (404);</li>
 *   <li>{@link UnsupportedByProviderException}: the agent cannot do what is asked (400);</li>
 *   <li>{@link TooManyRunningException}: the running limit is reached (429);</li>
 *   <li>{@link UnavailableException}: the service is shutting down, or a store it needs is
 *       unreachable (503);</li>
 *   <li>{@link RequestRefusedException}: a transport's own checks refused the request (a key,
 *       a route, a method, a media type, the body's size).</li>
 * </ul>
 */
public abstract sealed class ExecStreamException extends RuntimeException
        permits InvalidInputException, StreamNotFoundException, UnknownProviderException,
        UnsupportedByProviderException, TooManyRunningException, UnavailableException, RequestRefusedException {
    private final ErrorCode code;

    ExecStreamException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The code the client sees, with its status. */
    public ErrorCode code() {
        return code;
    }

    /** A value a client sent, cut to 40 characters and without control characters, fit for a message. */
    static String shorten(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
