package io.execstream.ports;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import java.util.Optional;

/**
 * A coding agent execstream can run for a prompt: Claude Code's CLI, an OpenCode server, and so on.
 * Each is registered with the core under its {@link #provider()} name.
 *
 * <h2>Its own rules</h2>
 * An {@link AgentPrompt} is provider-neutral: a prompt, a session, a model, a timeout, and options
 * the domain only knows as JSON values. Everything particular to an agent is the agent's:
 * <ul>
 *   <li>{@link #capabilities()} says what it can do (resume, cancel, models) and which options it
 *       takes; the core refuses a prompt asking for more with
 *       {@link io.execstream.domain.UnsupportedByProviderException} (400
 *       {@code unsupported_by_provider}), before anything starts;</li>
 *   <li>{@link #validate} checks the options' values, and any limit of the agent's own (the
 *       length of a command-line argument, say). The core calls it in {@code startAgent} before
 *       it opens a stream, so a prompt the agent refuses is an
 *       {@link InvalidInputException} (400, {@code invalid_request} unless a more precise code
 *       fits), never a stream that fails;</li>
 *   <li>{@link #alias()} names the short HTTP route that runs this agent and also takes its
 *       options as body fields ({@code POST /projects/{project}/claude} for Claude Code); the
 *       generic {@code POST /projects/{project}/agents/{provider}} takes the neutral fields only.</li>
 * </ul>
 *
 * <h2>Lifecycle</h2>
 * The same as {@link CommandRunner}'s, through an {@link AgentListener}: {@code start} returns at
 * once and never throws for a run that cannot start ({@code onExit(FailedToStart)} reports it);
 * {@code onOutput} carries the agent's raw output; {@code onAgentEvent} carries each event of the
 * agent's own protocol, in the order the agent produced them; {@code onSession} names the
 * conversation as soon as the agent knows it; {@code onResult} comes at most once, when the agent
 * reports its end; {@code onExit} comes exactly once, last. An agent that ends without
 * {@code onResult} did not finish its work, whatever its exit code says, and its stream ends
 * {@code failed}; its done event still carries the session named by {@code onSession}, so the
 * conversation can be resumed.
 *
 * <h2>Live sessions</h2>
 * An agent whose {@link AgentCapabilities#interactive()} is true runs an
 * {@linkplain AgentPrompt#interactive() interactive} prompt as a live session: {@code start}
 * returns a {@link RunningSession}, which takes follow-up messages, interrupts and an end; the
 * end of each turn is reported through {@link AgentListener#onTurn}, and {@code onResult} at the
 * session's end carries its totals. The core refuses an interactive prompt to an agent without
 * the capability ({@code unsupported_by_provider}).
 *
 * <p>A run the core stopped ({@link RunningCommand#terminate} after a cancel or a timeout) is
 * never a success, whatever the agent reports after the stop: its done event says
 * {@code is_error} true.
 */
public interface CodeAgent {

    /** The name clients use for this agent, e.g. {@code claude-code}: lower-case letters, digits, '-'. */
    String provider();

    /** What this agent can do, so a request it cannot honour is refused before it starts. */
    AgentCapabilities capabilities();

    /**
     * Checks that this agent can run {@code prompt}: the values of its options, and any limit of
     * its own. Called by the core before a stream is opened, on the caller's thread; it must not
     * block or start anything. The default takes no options at all.
     *
     * @throws InvalidInputException for an option it does not take or a value it refuses
     *                               ({@link ErrorCode#INVALID_REQUEST}), or a prompt beyond its limits
     */
    default void validate(AgentPrompt prompt) {
        if (!prompt.options().isEmpty()) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST, provider() + " takes no options; got "
                    + String.join(", ", prompt.options().keySet()));
        }
    }

    /**
     * The path segment of this agent's own route under {@code /projects/{project}/}, which runs it
     * and also takes its {@linkplain AgentCapabilities#options() options} as body fields, e.g.
     * {@code claude}; empty (the default) for none. A transport serves only the aliases it
     * documents.
     */
    default Optional<String> alias() {
        return Optional.empty();
    }

    /**
     * Starts a run of {@code prompt} in {@code project}'s environment. The prompt has passed
     * {@link #validate}, when it comes through the core.
     *
     * @return a handle that stops the run (and everything it started)
     */
    RunningCommand start(ProjectId project, AgentPrompt prompt, AgentListener listener);
}
