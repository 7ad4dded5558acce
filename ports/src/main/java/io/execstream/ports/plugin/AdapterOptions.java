package io.execstream.ports.plugin;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The options of one provider as the user set them, read through typed getters that fall back on
 * the option's default and fail with a message for the user. Built by the server (or by a test),
 * which refuses an option the provider does not declare; immutable, so any thread may read it.
 *
 * <p>Each getter takes the name of a declared option; asking for another is a programming error
 * ({@link IllegalStateException}). A value that is missing or wrong is an
 * {@link IllegalArgumentException} whose message names the setting the way the user wrote it.
 */
public final class AdapterOptions {
    private final String owner;
    private final String flag;
    private final Map<String, AdapterOption> declared;
    private final Map<String, Value> given;

    /**
     * One value the user gave.
     *
     * @param text   the value as written
     * @param source how the user set it, for messages: {@code --kube-namespace},
     *               {@code --runner-option namespace}
     */
    public record Value(String text, String source) {
        public Value {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(source, "source");
        }
    }

    private AdapterOptions(String owner, String flag, List<AdapterOption> declared, Map<String, Value> given) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.flag = Objects.requireNonNull(flag, "flag");
        this.declared = new LinkedHashMap<>();
        for (AdapterOption option : declared) {
            if (this.declared.put(option.name(), option) != null) {
                throw new IllegalStateException(owner + " declares option '" + option.name() + "' twice");
            }
        }
        for (String name : given.keySet()) {
            if (!this.declared.containsKey(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "' for " + owner + ": "
                        + (declared.isEmpty() ? "it takes no options" : "its options are " + names(declared)));
            }
        }
        this.given = Map.copyOf(given);
    }

    /**
     * The options of {@code owner}.
     *
     * @param owner    the provider, for messages: {@code runner 'kubectl'}
     * @param flag     how the user sets one of its options, for messages, up to the option's name:
     *                 {@code --runner-option }, {@code --agent-option opencode.}
     * @param declared what the provider declares
     * @param given    what the user set, by option name
     * @throws IllegalArgumentException when {@code given} names an option that is not declared
     */
    public static AdapterOptions of(String owner, String flag, List<AdapterOption> declared, Map<String, Value> given) {
        return new AdapterOptions(owner, flag, declared, given);
    }

    /** Options set in code, as a test of a provider sets them: {@code of(provider.options(), Map.of("url", "..."))}. */
    public static AdapterOptions of(List<AdapterOption> declared, Map<String, String> given) {
        Map<String, Value> values = new LinkedHashMap<>();
        given.forEach((name, text) -> values.put(name, new Value(text, "option " + name)));
        return new AdapterOptions("this provider", "option ", declared, values);
    }

    /** The value, or the default; empty when neither is there or the value is blank. */
    public Optional<String> optionalString(String name) {
        AdapterOption option = option(name);
        Value value = given.get(name);
        String text = value != null ? value.text() : option.defaultValue();
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    /** The value, or the default; there must be one. */
    public String string(String name) {
        return optionalString(name).orElseThrow(() -> new IllegalArgumentException(
                label(name) + " must not be empty (" + owner + " needs it: " + flag + name + "=VALUE)"));
    }

    /** A whole number from {@code min} to {@code max}. */
    public int integer(String name, int min, int max) {
        return OptionSyntax.wholeNumber(label(name), string(name), min, max);
    }

    /** A duration: {@code 500ms}, {@code 15s}, {@code 5m}, {@code 1h}, {@code 2d}. */
    public Duration duration(String name) {
        return OptionSyntax.duration(label(name), string(name));
    }

    /** A positive size in bytes: {@code 512KB}, {@code 16MB}, {@code 1GB}. */
    public long size(String name) {
        return OptionSyntax.size(label(name), string(name));
    }

    /** {@code true} or {@code false}. */
    public boolean bool(String name) {
        return OptionSyntax.bool(label(name), string(name));
    }

    /** A path on this machine. */
    public Path path(String name) {
        String text = string(name);
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(label(name) + " is not a path: '" + text + "'", e);
        }
    }

    /** A comma-separated list, blanks dropped; empty when not set. */
    public List<String> list(String name) {
        return optionalString(name).map(OptionSyntax::list).orElse(List.of());
    }

    /** How the user set {@code name}, or would set it: the start of a message about its value. */
    public String label(String name) {
        option(name);
        Value value = given.get(name);
        return value != null ? value.source() : flag + name;
    }

    private AdapterOption option(String name) {
        AdapterOption option = declared.get(name);
        if (option == null) {
            throw new IllegalStateException(owner + " reads option '" + name + "' but does not declare it");
        }
        return option;
    }

    private static String names(List<AdapterOption> options) {
        return options.stream().map(AdapterOption::name).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        // Values may be secrets (a password): only say which were given.
        return owner + " options " + given.keySet();
    }
}
