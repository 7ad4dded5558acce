package io.execstream.server.config;

import java.util.Locale;

/**
 * One flag: its name without dashes, default (null for none), and what it means. A switch
 * ({@code isSwitch}) needs no value: {@code --name} alone means true, and it also takes
 * {@code --name=false} and its variable set to {@code true} or {@code false}. A repeatable flag
 * ({@code isRepeatable}) may be given several times, and its variable holds several values, one
 * a line; given flags replace the variable's values.
 */
record Flag(String name, String defaultValue, String help, boolean isSwitch, boolean isRepeatable) {
    Flag(String name, String defaultValue, String help) {
        this(name, defaultValue, help, false, false);
    }

    Flag(String name, String defaultValue, String help, boolean isSwitch) {
        this(name, defaultValue, help, isSwitch, false);
    }

    static Flag repeatable(String name, String help) {
        return new Flag(name, null, help, false, true);
    }

    String envName() {
        return "EXECSTREAM_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
