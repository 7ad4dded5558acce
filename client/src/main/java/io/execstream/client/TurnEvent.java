package io.execstream.client;

import java.util.Map;
import java.util.Objects;

/**
 * The end of a live agent session's turn: a {@code turn} event. What the agent did not report
 * is null.
 *
 * @param id         the event's id, to resume after it
 * @param turn       the turn that ended, from 1
 * @param subtype    the agent's word for how it ended ({@code success}; an interrupted turn
 *                   usually {@code error_during_execution} or {@code aborted}), or null
 * @param isError    whether the turn ended in an error, an interrupt included
 * @param costUsd    what this turn cost, in US dollars, or null
 * @param runCostUsd what the run has cost so far, this turn included, or null
 * @param usage      the agent's token counts for the turn, parsed; empty when not reported
 * @param durationMs how long the turn took, or null
 */
public record TurnEvent(String id, int turn, String subtype, boolean isError, Double costUsd, Double runCostUsd,
                        Map<String, Object> usage, Long durationMs) {
    /** Checks that the id is present. */
    public TurnEvent {
        Objects.requireNonNull(id, "id");
        usage = usage == null ? Map.of() : usage;
    }
}
