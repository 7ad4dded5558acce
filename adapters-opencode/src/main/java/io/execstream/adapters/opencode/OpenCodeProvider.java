package io.execstream.adapters.opencode;

import io.execstream.ports.CodeAgent;
import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.AdapterOptions;
import io.execstream.ports.plugin.AgentContext;
import io.execstream.ports.plugin.CodeAgentProvider;
import java.util.List;
import java.util.Optional;

/**
 * The {@code opencode} agent: an {@link OpenCodeAgent}, found by the server through its service
 * file. Off until its {@code url} is given.
 */
public final class OpenCodeProvider implements CodeAgentProvider {

    @Override
    public String name() {
        return OpenCodeAgent.PROVIDER;
    }

    @Override
    public String description() {
        return "prompts on the project's own 'opencode serve', over HTTP (on when url is given)";
    }

    @Override
    public List<AdapterOption> options() {
        return List.of(
                AdapterOption.of("url", "URL template of the project's 'opencode serve' ({project} replaced); "
                        + "without it the provider is off"),
                AdapterOption.of("password", "its basic-auth password"),
                AdapterOption.of("models", "the models a run may ask for, provider/model, comma-separated "
                        + "(default: any)"));
    }

    @Override
    public List<String> turnedOnBy() {
        return List.of("url");
    }

    @Override
    public Optional<CodeAgent> create(AgentContext context) {
        AdapterOptions options = context.options();
        return options.optionalString("url").map(url -> {
            OpenCodeAgent.Builder opencode = OpenCodeAgent.builder().url(url).abortGrace(context.adapter().killGrace())
                    .models(options.list("models"));
            options.optionalString("password").ifPresent(opencode::password);
            return opencode.build();
        });
    }
}
