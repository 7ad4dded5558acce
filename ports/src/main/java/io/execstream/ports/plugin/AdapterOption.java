package io.execstream.ports.plugin;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One option a provider reads: its name, its default and what it means, as {@code --help} shows
 * them. Users set it with {@code --runner-option NAME=VALUE} (or the publisher's and agents'
 * twins of that flag).
 *
 * @param name         lower-case letters, digits and '-', starting with a letter
 * @param defaultValue the value when none is given, as the user would write it ({@code 15s},
 *                     {@code 16MB}); null for none
 * @param help         one line, for a person
 */
public record AdapterOption(String name, String defaultValue, String help) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    public AdapterOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an option name is lower-case letters, digits and '-', got '" + name + "'");
        }
    }

    /** An option without a default. */
    public static AdapterOption of(String name, String help) {
        return new AdapterOption(name, null, help);
    }

    /** An option with a default. */
    public static AdapterOption of(String name, String defaultValue, String help) {
        return new AdapterOption(name, Objects.requireNonNull(defaultValue, "defaultValue"), help);
    }

    /** The default, if there is one. */
    public Optional<String> defaultIfAny() {
        return Optional.ofNullable(defaultValue);
    }
}
