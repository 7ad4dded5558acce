package io.execstream.ports;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link CodeAgent} can do.
 *
 * @param resume        whether it continues an earlier conversation given its {@code session_id}
 * @param cancel        whether a run can be stopped before it ends
 * @param costReporting whether its result reports what the run cost
 * @param models        the models it can be asked for by name; empty when any name is passed on
 */
public record AgentCapabilities(boolean resume, boolean cancel, boolean costReporting, List<String> models) {
    public AgentCapabilities {
        models = List.copyOf(Objects.requireNonNull(models, "models"));
    }
}
