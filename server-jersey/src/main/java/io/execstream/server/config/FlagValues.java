package io.execstream.server.config;

import io.execstream.ports.plugin.OptionSyntax;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The values of the server's flags as read ({@link ServerFlags#read}), by flag name without
 * dashes, with typed accessors whose errors name the flag: the syntax of durations, sizes, numbers
 * and switches is the one adapters' options use ({@link OptionSyntax}).
 */
public final class FlagValues {
    private final Map<String, String> values;

    FlagValues(Map<String, String> values) {
        this.values = values;
    }

    /** The value of {@code --name}; an error when it is empty. */
    public String required(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " must not be empty");
        }
        return value;
    }

    /** The value of {@code --name}, empty when not given or blank. */
    public Optional<String> optional(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** A comma-separated list, blanks dropped; empty when not given. */
    public List<String> list(String name) {
        return optional(name).map(OptionSyntax::list).orElse(List.of());
    }

    /** The values of a repeatable flag, one a line, blanks dropped; empty when not given. */
    public List<String> lines(String name) {
        return optional(name).stream()
                .flatMap(String::lines)
                .map(String::trim)
                .filter(line -> !line.isEmpty())
                .toList();
    }

    /** A whole number from {@code min} to {@code max}. */
    public int intIn(String name, int min, int max) {
        return OptionSyntax.wholeNumber("--" + name, required(name), min, max);
    }

    /** A switch: {@code true} or {@code false}. */
    public boolean bool(String name) {
        return OptionSyntax.bool("--" + name, required(name));
    }

    /** A duration: {@code 15s}, {@code 1h}. */
    public Duration duration(String name) {
        return OptionSyntax.duration("--" + name, required(name));
    }

    /** A duration longer than zero. */
    public Duration positive(String name) {
        Duration d = duration(name);
        if (d.isZero()) {
            throw new IllegalArgumentException("--" + name + " must be longer than zero");
        }
        return d;
    }

    /** A size in bytes: {@code 16MB}, binary multiples. */
    public long size(String name) {
        return OptionSyntax.size("--" + name, required(name));
    }
}
