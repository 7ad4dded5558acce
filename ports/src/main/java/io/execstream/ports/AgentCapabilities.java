package io.execstream.ports;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link CodeAgent} can do.
 *
 * @param resume        whether it continues an earlier conversation given its {@code session_id}
 * @param cancel        whether a run can be stopped before it ends
 * @param costReporting whether its result reports what the run cost
 * @param models        the models it can be asked for by name; empty when any name is passed on
 * @param options       the names of the options of its own it takes in
 *                      {@link io.execstream.domain.AgentPrompt#options()}, which
 *                      {@link CodeAgent#validate} checks; empty for none. The HTTP API accepts
 *                      them as body fields on the agent's {@linkplain CodeAgent#alias() alias}
 * @param interactive   whether it runs live sessions: for an
 *                      {@link io.execstream.domain.AgentPrompt#interactive()} prompt its
 *                      {@link CodeAgent#start} returns a {@link RunningSession}
 * @param approvals     whether its live sessions ask a person before a tool call
 *                      ({@link io.execstream.domain.AgentPrompt#approvals()}); only with
 *                      {@code interactive}
 */
public record AgentCapabilities(boolean resume, boolean cancel, boolean costReporting, List<String> models,
                                Set<String> options, boolean interactive, boolean approvals) {
    public AgentCapabilities {
        models = List.copyOf(Objects.requireNonNull(models, "models"));
        options = Set.copyOf(Objects.requireNonNull(options, "options"));
        if (approvals && !interactive) {
            throw new IllegalArgumentException("approvals are asked in live sessions only");
        }
    }

    /** Capabilities of an agent whose live sessions, if any, ask for no approvals. */
    public AgentCapabilities(boolean resume, boolean cancel, boolean costReporting, List<String> models,
                             Set<String> options, boolean interactive) {
        this(resume, cancel, costReporting, models, options, interactive, false);
    }

    /** Capabilities of an agent that runs one prompt per run, no live sessions. */
    public AgentCapabilities(boolean resume, boolean cancel, boolean costReporting, List<String> models,
                             Set<String> options) {
        this(resume, cancel, costReporting, models, options, false);
    }

    /** Capabilities of an agent that takes no options of its own. */
    public AgentCapabilities(boolean resume, boolean cancel, boolean costReporting, List<String> models) {
        this(resume, cancel, costReporting, models, Set.of());
    }
}
