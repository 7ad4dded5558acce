package io.execstream.core;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;

/**
 * Talks to live agent sessions ({@code "interactive": true}): follow-up messages, interrupts, and
 * the end of the conversation, and answers to the requests for permission of a session started
 * with approvals. Requests for one stream are carried out in the order taken.
 *
 * <p>Each throws {@link io.execstream.domain.StreamNotFoundException} when {@code project} has no
 * such stream, and an {@link io.execstream.domain.ExecStreamException} with {@code stream_finished}
 * (409) for a finished stream, {@code not_interactive} (409) for a stream that is not a live
 * session, {@code input_blocked} (503) when the agent has not taken what it was sent, or
 * {@code node_unreachable} (503) when the node that runs it is gone.
 */
public interface AgentSessionUseCase {

    /** Sends a follow-up message; it is queued behind the turn that runs, if any, and the answer says so. */
    MessageAccepted sendMessage(SendMessage message);

    /**
     * Stops the turn that runs without ending the session, which then waits for a message; does
     * nothing while no turn runs. A cancel, by contrast, ends the whole run.
     */
    Accepted interrupt(ProjectId project, StreamId stream);

    /**
     * Ends the conversation: the session ends, with its done event, once the turn that runs is
     * over. For a command started with stdin, closes its stdin (end-of-file).
     */
    Accepted close(ProjectId project, StreamId stream);

    /**
     * Answers a request for permission the session waits on ({@link AnswerPermission}): the
     * stream records who decided ({@code permission_resolved}), and the agent gets the answer
     * after what was sent to it before.
     *
     * <p>Besides the refusals above: {@code not_found} (404) when the stream never asked
     * {@code requestId}, and {@code permission_resolved} (409) when the request was already
     * settled (answered, expired, withdrawn, or left at the run's end); {@code not_interactive}
     * (409) also for a live session started without approvals. A node that does not run
     * the stream knows only the requests still pending; for one that is not, it answers
     * {@code permission_resolved} when the id is one the core gives ({@code p<N>}), else
     * {@code not_found}.
     */
    Accepted answerPermission(AnswerPermission answer);
}
