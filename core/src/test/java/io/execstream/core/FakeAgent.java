package io.execstream.core;

import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ProjectId;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.AgentListener;
import io.execstream.ports.CodeAgent;
import io.execstream.ports.RunningCommand;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An agent at the edge of the core, driven by the test through the listener it was given. */
class FakeAgent implements CodeAgent {
    private final String provider;
    private final AgentCapabilities capabilities;
    final List<Run> runs = new CopyOnWriteArrayList<>();

    /** One run; {@code terminations} counts the core's calls to stop it, which the test then answers. */
    record Run(AgentPrompt prompt, AgentListener listener, AtomicInteger terminations) implements RunningCommand {
        @Override
        public void terminate() {
            terminations.incrementAndGet();
        }

        /** Returns once the core asked the run to stop. */
        void awaitTermination() {
            Waits.until(() -> terminations.get() > 0, () -> "the run was not terminated");
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
        Run run = new Run(prompt, listener, new AtomicInteger());
        runs.add(run);
        return run;
    }

    /** The latest run, waiting for the first: the service starts runs on threads of its own. */
    Run last() {
        run(0);
        return runs.get(runs.size() - 1);
    }

    /**
     * Run number {@code index} (from 0, in the order the runs reached the agent), waiting for it;
     * runs started together may reach it in either order.
     */
    Run run(int index) {
        Waits.until(() -> runs.size() > index, () -> "run " + index + " of " + provider + " was not started");
        return runs.get(index);
    }
}
