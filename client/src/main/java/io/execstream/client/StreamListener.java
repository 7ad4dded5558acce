package io.execstream.client;

/**
 * Receives the events of one followed stream; see {@link ExecStreamClient#follow}. Every method
 * has an empty default, so a listener overrides only what it needs.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #onOutput}, {@link #onAgent}, {@link #onInput}, {@link #onMessage},
 *       {@link #onTurn}, {@link #onPermission}, {@link #onPermissionResolved} and {@link #onGap}
 *       as the events arrive, in the stream's order: for a
 *       live agent session, each prompt's {@code onMessage} (the first prompt's too) comes before
 *       the agent's events of its turn, and that turn's {@code onTurn} after them. In a session
 *       started with approvals, each {@code onPermission} comes after the agent's own event that
 *       asked, and is followed, later, by exactly one {@code onPermissionResolved} for the same
 *       request (unless the stream is left first); the turn waits in between. Across reconnects nothing is repeated and nothing is skipped: the client
 *       resumes with {@code Last-Event-ID}, and events that left the server's history before
 *       they could be read are announced by one {@code onGap} in their place.</li>
 *   <li>Then exactly one terminal call: {@link #onDone} with the stream's done event, or
 *       {@link #onFailure} when the stream cannot be followed to its end (an error answer,
 *       reconnects used up, a listener that threw). Nothing is called after it.</li>
 * </ol>
 *
 * <p>Calls are sequential, each happening-before the next, and all run on the stream's own
 * reader thread ({@code execstream-follow-...}), never on the caller's. They may block: the
 * connection is then simply read later, and only this stream waits. Reconnects are silent.
 *
 * <p>After {@link EventStream#close()} no further call begins (a call already under way runs to
 * its end) and no terminal call is made. If a call other than the terminal one throws, the stream is closed and {@code onFailure} is called with an
 * {@link ExecStreamException} of error {@code listener} whose cause is what was thrown.
 */
public interface StreamListener {

    /** Text the command wrote to stdout or stderr. */
    default void onOutput(OutputEvent event) {
    }

    /** An event of a coding agent's protocol (Claude Code streams). */
    default void onAgent(AgentEvent event) {
    }

    /** What was written to the command's stdin through the API (a command started with stdin). */
    default void onInput(InputEvent event) {
    }

    /** A prompt of a live agent session, the first or a follow-up, with the turn that answers it. */
    default void onMessage(MessageEvent event) {
    }

    /** The end of a live agent session's turn, with its cost. */
    default void onTurn(TurnEvent event) {
    }

    /**
     * A live session's turn asks whether a tool call may run (a session started
     * {@linkplain AgentRequest#withApprovals() with approvals}). Answer it with
     * {@link ExecStreamClient#answerPermission}, from another thread or from here: the answer is
     * a request to the server that does not wait for this stream.
     */
    default void onPermission(PermissionEvent event) {
    }

    /** A request for permission was settled: answered (by anyone), expired, withdrawn, or ended with the run. */
    default void onPermissionResolved(PermissionResolvedEvent event) {
    }

    /** Events that will never come, because the server's history moved past them. */
    default void onGap(GapEvent gap) {
    }

    /** The stream's done event: the last call. */
    default void onDone(DoneEvent done) {
    }

    /** The stream cannot be followed to its done event: the last call. */
    default void onFailure(ExecStreamException error) {
    }
}
