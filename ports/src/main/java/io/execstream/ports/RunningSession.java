package io.execstream.ports;

import io.execstream.domain.PermissionDecision;
import java.io.IOException;

/**
 * A live agent session: what {@link CodeAgent#start} returns for an
 * {@linkplain io.execstream.domain.AgentPrompt#interactive() interactive} prompt. The agent runs
 * the first prompt as turn 1, reports the end of each turn through {@link AgentListener#onTurn},
 * and keeps running, waiting for messages, until {@link #end()}, {@link #terminate()}, or its own
 * end. Then, as for any run, {@code onResult} (the run's totals: turns, what this run cost, and the
 * session's cost when the agent knows it) and {@code onExit}, last.
 *
 * <h2>Calls</h2>
 * The core calls {@link #send}, {@link #interrupt}, {@link #end} and {@link #answerPermission}
 * from one thread at a time, in
 * the order its clients asked for them. Each may block briefly (a write to the agent's stdin, a
 * request to its server), never for a turn. After {@code end}, {@code send} throws
 * {@link IOException}, while {@code interrupt} still stops the last turn; after {@code terminate}
 * or the run's end, both throw.
 */
public interface RunningSession extends RunningCommand {

    /**
     * Sends a follow-up message. The agent runs it as the next turn: at once when it waits, after
     * the turn that runs (and any message sent before it) otherwise.
     *
     * @throws IOException when the session no longer takes messages
     */
    void send(String prompt) throws IOException;

    /**
     * Stops the turn that runs, without ending the session: the agent reports the turn's end
     * ({@code onTurn}, usually an error subtype) and waits for a message. Does nothing while no
     * turn runs.
     *
     * @throws IOException when the session no longer takes requests
     */
    void interrupt() throws IOException;

    /**
     * Ends the session when the current turn is over (at once when none runs): no more messages.
     * Calling it again does nothing.
     */
    void end();

    /**
     * Answers the request for permission the agent made as {@code agentRequestId}
     * ({@link AgentListener#onPermissionRequest}): the tool runs (with the decision's updated
     * input, if any) or is refused, the agent being told the decision's message. Called at most
     * once per request, never after {@link AgentListener#onPermissionWithdrawn} for it. The default,
     * for agents without approvals, throws.
     *
     * @throws IOException when the session no longer takes requests, or the agent cannot take answers
     */
    default void answerPermission(String agentRequestId, PermissionDecision decision) throws IOException {
        throw new IOException("this agent takes no answers to requests for permission");
    }

    /**
     * Whether {@link #answerPermission} can run a tool call with an input other than the one asked
     * for ({@link PermissionDecision#updatedInputJson()}); an answer that needs it is refused before
     * it is recorded when not. The default is {@code true}.
     */
    default boolean takesUpdatedInput() {
        return true;
    }
}
