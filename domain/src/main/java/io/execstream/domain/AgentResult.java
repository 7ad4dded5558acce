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
 * @param totalCostUsd what this run cost, in US dollars: this process (or this run of an agent
 *                     server), never earlier runs of the same session
 * @param usageJson    token usage as the agent reported it: a JSON object, compact, on one line
 * @param sessionCostUsd what the whole session has cost so far, earlier runs ({@code --resume})
 *                     included, when the agent reports it; else null
 */
public record AgentResult(String sessionId, boolean isError, String subtype, Integer numTurns,
                          Double totalCostUsd, String usageJson, Double sessionCostUsd) {
    public AgentResult {
        Objects.requireNonNull(subtype, "subtype");
    }

    /** A report without a session-wide cost. */
    public AgentResult(String sessionId, boolean isError, String subtype, Integer numTurns,
                       Double totalCostUsd, String usageJson) {
        this(sessionId, isError, subtype, numTurns, totalCostUsd, usageJson, null);
    }

    /** This report as a failure of kind {@code subtype}; the session, turns, cost and usage are kept. */
    public AgentResult asError(String subtype) {
        return new AgentResult(sessionId, true, subtype, numTurns, totalCostUsd, usageJson, sessionCostUsd);
    }
}
