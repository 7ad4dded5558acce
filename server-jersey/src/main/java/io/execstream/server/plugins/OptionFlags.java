package io.execstream.server.plugins;

import io.execstream.server.config.ServerConfig;
import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.AdapterOptions;
import io.execstream.ports.plugin.AdapterProvider;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the option flags of a parsed config into each provider's {@link AdapterOptions}: first
 * the shorthands' values, then {@code --runner-option KEY=VALUE}, {@code --publisher-option
 * KEY=VALUE} and {@code --agent-option PROVIDER.KEY=VALUE}, which win.
 */
final class OptionFlags {
    private OptionFlags() {
    }

    /**
     * The options of {@code provider}, of {@code kind}, from {@code entries}: the values of its
     * kind's option flag, {@code KEY=VALUE} (or {@code PROVIDER.KEY=VALUE} for agents, where only
     * this provider's are taken).
     *
     * @throws IllegalArgumentException for an entry without '=', a key given twice, or an option
     *         the provider does not declare
     */
    static AdapterOptions of(ProviderKind kind, AdapterProvider provider, ServerConfig config, List<String> entries) {
        String name = provider.name();
        Map<String, AdapterOptions.Value> values = new LinkedHashMap<>();
        List<String> declared = provider.options().stream().map(AdapterOption::name).toList();
        for (Shorthands.Shorthand shorthand : Shorthands.ALL) {
            if (shorthand.kind() == kind && shorthand.provider().equals(name) && declared.contains(shorthand.option())) {
                shorthand.value().apply(config).ifPresent(text ->
                        values.put(shorthand.option(), new AdapterOptions.Value(text, shorthand.flag())));
            }
        }
        Map<String, String> explicit = new LinkedHashMap<>();
        for (String entry : entries) {
            KeyValue kv = KeyValue.parse(kind, entry);
            if (kind == ProviderKind.AGENT && !kv.provider().equals(name)) {
                continue;
            }
            if (explicit.put(kv.key(), kv.value()) != null) {
                throw new IllegalArgumentException(kind.optionPrefix(name) + kv.key() + " is given twice");
            }
            values.put(kv.key(), new AdapterOptions.Value(kv.value(), kind.optionPrefix(name) + kv.key()));
        }
        return AdapterOptions.of(kind.describe(name), kind.optionPrefix(name), provider.options(), values);
    }

    /**
     * Checks that every {@code --agent-option} names an agent provider that was found.
     *
     * @throws IllegalArgumentException in one line that lists the agents found
     */
    static void checkAgents(List<String> entries, Collection<String> agents) {
        for (String entry : entries) {
            KeyValue kv = KeyValue.parse(ProviderKind.AGENT, entry);
            if (!agents.contains(kv.provider())) {
                throw new IllegalArgumentException("unknown agent '" + kv.provider() + "' in --agent-option " + entry
                        + ": agents found: " + String.join(", ", agents));
            }
        }
    }

    /** One entry of an option flag. {@code provider} is empty except for agents. */
    private record KeyValue(String provider, String key, String value) {
        static KeyValue parse(ProviderKind kind, String entry) {
            int eq = entry.indexOf('=');
            String key = eq < 0 ? "" : entry.substring(0, eq).trim();
            String provider = "";
            if (kind == ProviderKind.AGENT) {
                int dot = key.indexOf('.');
                provider = dot < 0 ? "" : key.substring(0, dot);
                key = dot < 0 ? "" : key.substring(dot + 1);
            }
            if (key.isEmpty() || (kind == ProviderKind.AGENT && provider.isEmpty())) {
                throw new IllegalArgumentException(kind.optionFlag.trim() + " takes "
                        + (kind == ProviderKind.AGENT ? "PROVIDER.KEY=VALUE" : "KEY=VALUE") + ", got '" + entry + "'");
            }
            return new KeyValue(provider, key, entry.substring(eq + 1));
        }
    }
}
