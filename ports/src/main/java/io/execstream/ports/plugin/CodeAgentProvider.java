package io.execstream.ports.plugin;

import io.execstream.ports.CodeAgent;
import java.util.List;
import java.util.Optional;

/**
 * Makes a {@link CodeAgent} for the standalone server. Register an implementation in
 * {@code META-INF/services/io.execstream.ports.plugin.CodeAgentProvider} of its jar. Every agent
 * provider found is asked, so several agents are served at once, each under its
 * {@link CodeAgent#provider()} name, which must equal {@link #name()}.
 */
public non-sealed interface CodeAgentProvider extends AdapterProvider {

    /**
     * Builds the agent, or says it is off. Called once, at start-up, on the server's main thread,
     * after the runner was built (it is {@link AgentContext#runner()}, for agents that run a CLI).
     *
     * @return the agent, or empty when its options leave it off (e.g. no URL to reach it at)
     * @throws IllegalArgumentException when an option is wrong, with a message that names it
     */
    Optional<CodeAgent> create(AgentContext context);

    /**
     * The options that turn this agent on, when {@link #create} leaves it off without them (e.g.
     * the URL of the server it talks to). A request for an agent that is off is refused with
     * their names, as the server's flags set them. Empty by default: always on, or nothing to name.
     */
    default List<String> turnedOnBy() {
        return List.of();
    }
}
