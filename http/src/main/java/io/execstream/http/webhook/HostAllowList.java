package io.execstream.http.webhook;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hosts a run's own webhook URL may name ({@code --webhook-allow}): each an exact host name
 * or IP address ({@code hooks.example.com}, {@code 10.0.0.7}), or {@code *.example.com}, which
 * allows every host under {@code example.com} (not {@code example.com} itself). Compared in lower
 * case; the port and path are not looked at.
 */
final class HostAllowList {
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9.:-]*[a-z0-9])?|\\[[0-9a-f:.]+]");

    private final List<String> patterns;

    private HostAllowList(List<String> patterns) {
        this.patterns = patterns;
    }

    /**
     * The list of {@code patterns}.
     *
     * @throws IllegalArgumentException naming a pattern that is not a host or {@code *.domain}
     */
    static HostAllowList of(List<String> patterns) {
        List<String> lower = patterns.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty()).toList();
        for (String pattern : lower) {
            if (!HOST.matcher(pattern).matches()) {
                throw new IllegalArgumentException("'" + pattern + "' is not a host: give a host name, an IP address "
                        + "or *.example.com");
            }
        }
        return new HostAllowList(lower);
    }

    boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** Whether {@code host} (as a URI gives it) is allowed. */
    boolean allows(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String pattern : patterns) {
            if (pattern.startsWith("*.") ? h.endsWith(pattern.substring(1)) && h.length() > pattern.length() - 1
                    : pattern.equals(h)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(", ", patterns);
    }
}
