package io.execstream.ports.plugin;

import io.execstream.ports.HistoryLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * What a runner or publisher provider is built from: its own options, and what the server decides
 * for every adapter.
 *
 * @param options         the provider's options, as the user set them
 * @param limits          the history a publisher keeps ({@code --max-history},
 *                        {@code --history-budget}, {@code --retention})
 * @param killGrace       the time between TERM and KILL when a command is stopped ({@code --kill-grace})
 * @param deliveryThreads threads a publisher delivers events on; its subscribers never block, so a
 *                        few serve any number of them. 0: subscribers may block, so use the
 *                        publisher's default pool
 */
public record AdapterContext(AdapterOptions options, HistoryLimits limits, Duration killGrace, int deliveryThreads) {
    public AdapterContext {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(killGrace, "killGrace");
        if (killGrace.isNegative() || deliveryThreads < 0) {
            throw new IllegalArgumentException("killGrace and deliveryThreads must not be negative");
        }
    }
}
