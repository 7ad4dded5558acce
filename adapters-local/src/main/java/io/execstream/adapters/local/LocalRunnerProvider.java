package io.execstream.adapters.local;

import io.execstream.ports.CommandRunner;
import io.execstream.ports.plugin.AdapterContext;
import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.CommandRunnerProvider;
import java.util.List;

/** {@code --runner local}: a {@link LocalCommandRunner}, found by the server through its service file. */
public final class LocalRunnerProvider implements CommandRunnerProvider {
    static final String WORKSPACE_ROOT = "workspace-root";

    @Override
    public String name() {
        return "local";
    }

    @Override
    public String description() {
        return "a process on this machine, in its project's directory";
    }

    @Override
    public List<AdapterOption> options() {
        return List.of(AdapterOption.of(WORKSPACE_ROOT, "./workspaces",
                "commands of project P run in ROOT/P (created on demand)"));
    }

    @Override
    public CommandRunner create(AdapterContext context) {
        return LocalCommandRunner.builder()
                .workspaceRoot(context.options().path(WORKSPACE_ROOT))
                .gracePeriod(context.killGrace())
                .build();
    }
}
