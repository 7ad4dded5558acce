package io.execstream.server.plugins;

import io.execstream.ports.plugin.AdapterOption;
import io.execstream.ports.plugin.AdapterProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The providers' part of {@code --help}: each kind, each provider found, and its options. */
final class ProviderHelp {
    private static final String PLUGINS = "--plugins";

    private ProviderHelp() {
    }

    static String text(List<String> args, Map<String, String> env) {
        Optional<Path> plugins = pluginsDir(args, env);
        ProviderCatalog catalog;
        try {
            catalog = ProviderCatalog.load(plugins);
        } catch (RuntimeException e) {
            return String.format("%nAdapters: cannot list them: %s%n", e.getMessage());
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nAdapters%s. Set an option with its kind's option flag; an option flag wins over a "
                + "shorthand.%n", plugins.map(dir -> " (with the plug-ins in " + dir + ")").orElse("")));
        section(out, catalog, ProviderKind.RUNNER, "Runners (--runner NAME; --runner-option KEY=VALUE):");
        section(out, catalog, ProviderKind.PUBLISHER, "Publishers (--publisher NAME; --publisher-option KEY=VALUE):");
        section(out, catalog, ProviderKind.AGENT, "Agents (all that are on; --agent-option PROVIDER.KEY=VALUE):");
        return out.toString();
    }

    private static void section(StringBuilder out, ProviderCatalog catalog, ProviderKind kind, String title) {
        out.append(String.format("%n%s%n", title));
        for (AdapterProvider provider : catalog.all(kind)) {
            out.append(String.format("  %-20s %s%n", provider.name(), provider.description()));
            for (AdapterOption option : provider.options()) {
                String shorthand = Shorthands.flagOf(kind, provider.name(), option.name())
                        .map(flag -> " (shorthand " + flag + ")").orElse("");
                out.append(String.format("      %-18s %s%s%s%n", kind == ProviderKind.AGENT
                                ? provider.name() + "." + option.name() : option.name(), option.help(),
                        option.defaultIfAny().map(d -> " [default: " + d + "]").orElse(""), shorthand));
            }
        }
    }

    /** {@code --plugins DIR} or {@code --plugins=DIR} in {@code args}, else {@code EXECSTREAM_PLUGINS}. */
    private static Optional<Path> pluginsDir(List<String> args, Map<String, String> env) {
        Optional<String> dir = Optional.ofNullable(env.get("EXECSTREAM_PLUGINS")).filter(d -> !d.isBlank());
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals(PLUGINS) && i + 1 < args.size()) {
                dir = Optional.of(args.get(i + 1));
            } else if (arg.startsWith(PLUGINS + "=")) {
                dir = Optional.of(arg.substring(PLUGINS.length() + 1));
            }
        }
        return dir.map(Path::of);
    }
}
