package io.execstream.ports;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ProjectId;

/**
 * A coding agent execstream can run for a prompt: Claude Code's CLI, an OpenCode server, and so on.
 * Each is registered with the core under its {@link #provider()} name.
 *
 * <h2>Lifecycle</h2>
 * The same as {@link CommandRunner}'s, through an {@link AgentListener}: {@code start} returns at
 * once and never throws for a run that cannot start ({@code onExit(FailedToStart)} reports it);
 * {@code onOutput} carries the agent's raw output; {@code onAgentEvent} carries each event of the
 * agent's own protocol, in the order the agent produced them; {@code onResult} comes at most once,
 * when the agent reports its end; {@code onExit} comes exactly once, last. An agent that ends
 * without {@code onResult} did not finish its work, whatever its exit code says, and its stream
 * ends {@code failed}.
 */
public interface CodeAgent {

    /** The name clients use for this agent, e.g. {@code claude-code}: lower-case letters, digits, '-'. */
    String provider();

    /** What this agent can do, so a request it cannot honour is refused before it starts. */
    AgentCapabilities capabilities();

    /**
     * Starts a run of {@code prompt} in {@code project}'s environment.
     *
     * @return a handle that stops the run (and everything it started)
     */
    RunningCommand start(ProjectId project, AgentPrompt prompt, AgentListener listener);
}
