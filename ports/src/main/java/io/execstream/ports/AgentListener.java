package io.execstream.ports;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;

/**
 * Receives a coding agent's run: its raw output and exit as a {@link CommandListener} does, and the
 * agent's own events and final report. See {@link CodeAgent} for the order of the calls. All calls
 * for one run are sequential except that stdout and stderr output may come concurrently, as with
 * a command; {@code onAgentEvent} and {@code onResult} come on the thread that delivers stdout,
 * or, for a last line the agent did not end, on the thread that calls {@code onExit}, just before it.
 */
public interface AgentListener extends CommandListener {

    /** One event of the agent's protocol, as a JSON object in compact form on one line. */
    void onAgentEvent(String json);

    /** The agent's report of how its run ended; at most once, before {@code onExit}. */
    void onResult(AgentResult result);

    /**
     * The session the run belongs to, as soon as the agent names it, long before its result:
     * a run that ends without one (cancelled, timed out, crashed) can still be resumed with it.
     * Any number of times before {@code onExit}, on the thread of {@code onAgentEvent}; the
     * latest wins. The default ignores it.
     */
    default void onSession(String sessionId) {
    }

    /**
     * The end of one turn of a live session ({@link io.execstream.domain.AgentPrompt#interactive()}):
     * the agent answered a message, or was interrupted, and now runs the next message it has or
     * waits for one. On the thread of {@code onAgentEvent}, after the agent's own event for it.
     * The core numbers turns itself: {@code turn.number()} may be any value from 1. A one-prompt
     * run reports its end through {@code onResult} only. The default ignores it.
     */
    default void onTurn(AgentTurn turn) {
    }

    /**
     * A live session started with approvals ({@link io.execstream.domain.AgentPrompt#approvals()})
     * asks whether a tool call may run, and waits: the turn goes on once
     * {@link RunningSession#answerPermission} answers it under {@code ask.agentRequestId()}. On
     * the thread of {@code onAgentEvent}, after the agent's own event for it. The default ignores
     * it (nothing then answers, and the agent waits until the session ends).
     */
    default void onPermissionRequest(PermissionAsk ask) {
    }

    /**
     * The agent no longer waits for the request it made as {@code agentRequestId} (an interrupt
     * stopped the turn that asked): an answer to it now would be ignored. On the thread of
     * {@code onAgentEvent}. The default ignores it.
     */
    default void onPermissionWithdrawn(String agentRequestId) {
    }
}
