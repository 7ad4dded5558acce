package io.execstream.domain;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * How a {@link PermissionRequest} was settled: answered by a person, denied when it expired,
 * withdrawn by the agent (an interrupt while it waited), or left when the run ended.
 *
 * @param requestId the request
 * @param outcome   how it was settled
 * @param decidedBy who answered: the name of the key (never the key itself) for
 *                  {@link Outcome#ALLOWED} and {@link Outcome#DENIED}; null for the others
 * @param decidedAt when it was settled
 * @param message   what the agent was told with a denial, when anything; null otherwise
 */
public record PermissionResolution(String requestId, Outcome outcome, String decidedBy, Instant decidedAt,
                                   String message) {
    public PermissionResolution {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(decidedAt, "decidedAt");
        if ((outcome == Outcome.ALLOWED || outcome == Outcome.DENIED) == (decidedBy == null)) {
            throw new IllegalArgumentException("decidedBy is given exactly when a person answered");
        }
    }

    /** How a request was settled. */
    public enum Outcome {
        /** A person allowed the tool call. */
        ALLOWED,
        /** A person denied it. */
        DENIED,
        /** No one answered in time: it was denied. */
        TIMED_OUT,
        /** The agent no longer waits for it (an interrupt stopped the turn that asked). */
        WITHDRAWN,
        /** The run ended while it waited. */
        ENDED;

        /** The name on the wire: {@code allowed}, {@code denied}, {@code timed_out}, ... */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
