package io.execstream.domain;

import java.util.Objects;

/**
 * The end of one turn of a live agent session: the agent answered a message (or was interrupted)
 * and now waits for the next. Fields the agent did not report are null.
 *
 * @param number         which turn this was in the run, from 1 (the first prompt's)
 * @param subtype        the agent's kind of ending, e.g. {@code success}, or
 *                       {@code error_during_execution} for an interrupted turn
 * @param isError        whether the agent judged the turn a failure
 * @param costUsd        what this turn cost, in US dollars
 * @param runCostUsd     what the run has cost so far, this turn included
 * @param usageJson      this turn's token usage as the agent reported it: a JSON object, compact
 * @param durationMs     how long the turn took, by the agent's clock
 */
public record AgentTurn(int number, String subtype, boolean isError, Double costUsd, Double runCostUsd,
                        String usageJson, Long durationMs) {
    public AgentTurn {
        if (number < 1) {
            throw new IllegalArgumentException("turns are numbered from 1");
        }
        Objects.requireNonNull(subtype, "subtype");
    }

    /** This turn renumbered {@code number}: the core numbers the turns it counted. */
    public AgentTurn numbered(int number) {
        return new AgentTurn(number, subtype, isError, costUsd, runCostUsd, usageJson, durationMs);
    }
}
