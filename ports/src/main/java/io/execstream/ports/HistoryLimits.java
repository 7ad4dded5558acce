package io.execstream.ports;

import java.time.Duration;
import java.util.Objects;

/**
 * How much history a {@link StreamPublisher} keeps, and for how long.
 *
 * @param maxHistoryBytes    output bytes (UTF-8) kept per stream; the oldest events leave first
 * @param historyBudgetBytes output bytes kept across all streams; past it the oldest finished
 *                           streams are evicted whole
 * @param retention          how long a finished stream stays readable
 */
public record HistoryLimits(long maxHistoryBytes, long historyBudgetBytes, Duration retention) {
    /** 16 MB per stream, 512 MB in all, one hour. */
    public static final HistoryLimits DEFAULT =
            new HistoryLimits(16L << 20, 512L << 20, Duration.ofHours(1));

    public HistoryLimits {
        Objects.requireNonNull(retention, "retention");
        if (maxHistoryBytes <= 0 || historyBudgetBytes <= 0 || retention.isNegative()) {
            throw new IllegalArgumentException("history limits must be positive");
        }
    }
}
