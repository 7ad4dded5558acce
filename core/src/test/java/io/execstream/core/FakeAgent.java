package io.execstream.core;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ProjectId;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CodeAgent;
import io.execstream.ports.RunningCommand;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An agent at the edge of the core, driven by the test through the listener it was given. */
class FakeAgent implements CodeAgent {
    private final String provider;
    private final AgentCapabilities capabilities;
    final List<Run> runs = new CopyOnWriteArrayList<>();

    record Run(AgentPrompt prompt, AgentListener listener) implements RunningCommand {
        @Override
        public void terminate() {
        }
    }

    FakeAgent(String provider, AgentCapabilities capabilities) {
        this.provider = provider;
        this.capabilities = capabilities;
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public AgentCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public RunningCommand start(ProjectId project, AgentPrompt prompt, AgentListener listener) {
        Run run = new Run(prompt, listener);
        runs.add(run);
        return run;
    }

    /** The latest run, waiting for the first: the service starts runs on threads of its own. */
    Run last() {
        Waits.until(() -> !runs.isEmpty(), () -> "no run of " + provider + " was started");
        return runs.get(runs.size() - 1);
    }
}
