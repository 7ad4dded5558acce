package io.execstream.server.plugins;

import io.execstream.ports.plugin.AdapterProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every provider found by {@link ServiceLoader}: the server's own class path (the built-in
 * adapters' service files) and, with {@code --plugins DIR}, every jar in that directory. Built once
 * at start-up (or for {@code --help}); each kind's providers are kept by name, in name order.
 */
final class ProviderCatalog {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final Map<ProviderKind, Map<String, AdapterProvider>> byKind;

    private ProviderCatalog(Map<ProviderKind, Map<String, AdapterProvider>> byKind) {
        this.byKind = byKind;
    }

    /**
     * Finds the providers.
     *
     * @throws IllegalArgumentException when {@code plugins} is not a readable directory, a provider
     *         cannot be loaded, is badly named, or two of a kind have one name
     */
    static ProviderCatalog load(Optional<Path> plugins) {
        ClassLoader server = ProviderCatalog.class.getClassLoader();
        // The plug-ins' loader lives as long as the server: their classes are in use until it stops.
        ClassLoader loader = plugins.map(dir -> new URLClassLoader(jars(dir), server)).map(ClassLoader.class::cast)
                .orElse(server);
        Map<ProviderKind, Map<String, AdapterProvider>> byKind = new EnumMap<>(ProviderKind.class);
        for (ProviderKind kind : ProviderKind.values()) {
            byKind.put(kind, find(kind, loader));
        }
        return new ProviderCatalog(byKind);
    }

    /**
     * The provider of {@code kind} named {@code name}.
     *
     * @throws IllegalArgumentException in one line that lists the names found, when there is none
     */
    <P extends AdapterProvider> P get(ProviderKind kind, String name) {
        AdapterProvider provider = byKind.get(kind).get(name);
        if (provider == null) {
            throw new IllegalArgumentException("unknown --" + kind.word + " '" + name + "': " + kind.plural + " found: "
                    + String.join(", ", names(kind)));
        }
        @SuppressWarnings("unchecked") // find() keeps only instances of kind.type
        P typed = (P) provider;
        return typed;
    }

    /** The names of {@code kind}'s providers, in order. */
    Collection<String> names(ProviderKind kind) {
        return byKind.get(kind).keySet();
    }

    /** {@code kind}'s providers, in name order. */
    Collection<AdapterProvider> all(ProviderKind kind) {
        return byKind.get(kind).values();
    }

    private static Map<String, AdapterProvider> find(ProviderKind kind, ClassLoader loader) {
        Map<String, AdapterProvider> found = new TreeMap<>();
        try {
            for (AdapterProvider provider : ServiceLoader.load(kind.type, loader)) {
                String name = provider.name();
                if (name == null || !NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("the " + kind.word + " provider " + origin(provider)
                            + " has a bad name '" + name + "': lower-case letters, digits and '-'");
                }
                AdapterProvider other = found.put(name, provider);
                if (other != null) {
                    throw new IllegalArgumentException("two " + kind.plural + " are named '" + name + "': "
                            + origin(other) + " and " + origin(provider) + "; remove one (see --plugins)");
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("cannot load a " + kind.word + " provider: " + e.getMessage(), e);
        }
        return found;
    }

    /** A provider's class and the jar or directory it came from, for messages. */
    private static String origin(AdapterProvider provider) {
        CodeSource source = provider.getClass().getProtectionDomain().getCodeSource();
        String from = source == null || source.getLocation() == null ? "" : " (" + source.getLocation() + ")";
        return provider.getClass().getName() + from;
    }

    private static URL[] jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--plugins " + dir + " is not a directory");
        }
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("--plugins " + dir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --plugins " + dir + ": " + e.getMessage(), e);
        }
        return urls.toArray(URL[]::new);
    }
}
