package io.execstream.ports.plugin;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a setting's text becomes a value: the one syntax of the server's flags and of every
 * provider's options. Each method is given the setting's {@code label} (how the user set it, e.g.
 * {@code --kill-grace} or {@code --runner-option grace}) and fails with an
 * {@link IllegalArgumentException} whose message starts with it.
 */
public final class OptionSyntax {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|K|MB|M|GB|G|KiB|MiB|GiB)?", Pattern.CASE_INSENSITIVE);

    private OptionSyntax() {
    }

    /** {@code 500ms}, {@code 15s}, {@code 5m}, {@code 1h} or {@code 2d}; zero is allowed. */
    public static Duration duration(String label, String text) {
        String value = text.trim();
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException(label + " must be a duration such as 500ms, 15s, 5m, 1h or 2d, got '" + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** A positive number of bytes: {@code 512KB}, {@code 16MB}, {@code 1GB} (binary multiples), or a bare number. */
    public static long size(String label, String text) {
        String value = text.trim();
        Matcher m = SIZE.matcher(value);
        if (!m.matches() || Long.parseLong(m.group(1)) <= 0) {
            throw new IllegalArgumentException(label + " must be a positive size such as 512KB, 16MB or 1GB, got '" + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(label + " is too large: '" + value + "'");
        }
        return n << shift;
    }

    /** A whole number from {@code min} to {@code max}. */
    public static int wholeNumber(String label, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(label + " must be a whole number from " + min + " to " + max + ", got '" + text + "'");
    }

    /** {@code true} or {@code false}, in any case. */
    public static boolean bool(String label, String text) {
        String value = text.trim();
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(label + " must be true or false, got '" + value + "'");
    }

    /** A comma-separated list, each item trimmed and blanks dropped. */
    public static List<String> list(String text) {
        return Arrays.stream(text.split(","))
                .map(String::trim)
                .filter(item -> !item.isEmpty())
                .toList();
    }
}
