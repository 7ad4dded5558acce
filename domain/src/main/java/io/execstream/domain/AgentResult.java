package io.execstream.domain;

import java.util.Objects;

/**
 * What a coding agent reported when it finished: its own verdict, the session to resume, and what
 * the run cost. Fields the agent did not report are null.
 *
 * @param sessionId    the session to pass as {@code session_id} to continue the conversation
 * @param isError      whether the agent judged its run a failure
 * @param subtype      the agent's kind of ending, e.g. {@code success} or {@code error_max_turns}
 * @param numTurns     how many turns the run took
 * @param totalCostUsd what the run cost, in US dollars
 * @param usageJson    token usage as the agent reported it: a JSON object, compact, on one line
 */
public record AgentResult(String sessionId, boolean isError, String subtype, Integer numTurns,
                          Double totalCostUsd, String usageJson) {
    public AgentResult {
        Objects.requireNonNull(subtype, "subtype");
    }

    /** This report as a failure of kind {@code subtype}; the session, turns, cost and usage are kept. */
    public AgentResult asError(String subtype) {
        return new AgentResult(sessionId, true, subtype, numTurns, totalCostUsd, usageJson);
    }
}
