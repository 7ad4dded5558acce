package io.execstream.ports;

import io.execstream.domain.StreamEvent;
import java.time.Duration;
import java.util.Objects;

/**
 * How much history a {@link StreamPublisher} keeps, and for how long. Sizes are counted with
 * {@link #weight}: the UTF-8 bytes of an output's content (its
 * {@link StreamEvent.Output#utf8Bytes}), and a flat {@value #OTHER_EVENT_BYTES} bytes for any
 * other event.
 *
 * @param maxHistoryBytes    output bytes (UTF-8) kept per stream; the oldest events leave first
 * @param historyBudgetBytes output bytes kept across all streams; past it the output of the
 *                           oldest finished streams goes first (see {@link StreamPublisher} for
 *                           what a publisher may keep of them, and of running streams)
 * @param retention          how long a finished stream stays readable
 */
public record HistoryLimits(long maxHistoryBytes, long historyBudgetBytes, Duration retention) {
    /** 16 MB per stream, 512 MB in all, one hour. */
    public static final HistoryLimits DEFAULT =
            new HistoryLimits(16L << 20, 512L << 20, Duration.ofHours(1));

    /** What an event other than output counts for in the history. */
    public static final long OTHER_EVENT_BYTES = 64;

    public HistoryLimits {
        Objects.requireNonNull(retention, "retention");
        if (maxHistoryBytes <= 0 || historyBudgetBytes <= 0 || retention.isNegative()) {
            throw new IllegalArgumentException("history limits must be positive");
        }
    }

    /** What {@code event} counts for in the history, in bytes. */
    public static long weight(StreamEvent event) {
        return event instanceof StreamEvent.Output output ? output.utf8Bytes() : OTHER_EVENT_BYTES;
    }
}
