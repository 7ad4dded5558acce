package io.execstream.ports.plugin;

import io.execstream.ports.CommandRunner;
import java.util.Objects;

/**
 * What an agent provider is built from: the same as a runner's, plus the runner the server runs
 * commands with, for an agent that runs a CLI (locally or in the project's pod alike).
 *
 * @param adapter the agent's options, the history limits, the kill grace and the delivery threads
 * @param runner  the runner selected by {@code --runner}
 */
public record AgentContext(AdapterContext adapter, CommandRunner runner) {
    public AgentContext {
        Objects.requireNonNull(adapter, "adapter");
        Objects.requireNonNull(runner, "runner");
    }

    /** The agent's own options. */
    public AdapterOptions options() {
        return adapter.options();
    }
}
