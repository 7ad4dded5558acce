package io.execstream.client;

import java.time.Instant;
import java.util.Objects;

/**
 * How a request for permission was settled: a {@code permission_resolved} event, exactly one
 * for each {@link PermissionEvent}, whoever settled it.
 *
 * @param id        the event's id, to resume after it
 * @param requestId the request it settles
 * @param outcome   {@code allowed} or {@code denied} (someone answered), {@code timed_out} (no
 *                  one did in time: denied), {@code withdrawn} (the agent no longer waits, as after
 *                  an interrupt) or {@code ended} (the run ended first)
 * @param decidedBy for {@code allowed} and {@code denied}, the name of the API key that answered;
 *                  otherwise null
 * @param decidedAt when it was settled
 * @param message   a denial's message to the agent, or null
 */
public record PermissionResolvedEvent(String id, String requestId, String outcome, String decidedBy, Instant decidedAt,
                                      String message) {
    /** Checks that the parts that are always present are. */
    public PermissionResolvedEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(decidedAt, "decidedAt");
    }

    /** Whether the tool call may run: the outcome is {@code allowed}. */
    public boolean isAllowed() {
        return outcome.equals("allowed");
    }
}
