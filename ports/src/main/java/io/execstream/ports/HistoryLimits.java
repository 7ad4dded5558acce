package io.execstream.ports;

import io.execstream.domain.StreamEvent;
import java.time.Duration;
import java.util.Objects;

/**
 * How much history a {@link StreamPublisher} keeps, and for how long. Sizes are counted with
 * {@link #weight}: the UTF-8 bytes of an output's content, and a flat
 * {@value #OTHER_EVENT_BYTES} bytes for any other event.
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
        return event instanceof StreamEvent.Output output ? utf8Length(output.content()) : OTHER_EVENT_BYTES;
    }

    /** The UTF-8 length of {@code s}, counted without encoding it. */
    public static long utf8Length(CharSequence s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                // A lone surrogate cannot occur in decoded output; 3 is its worst case anyway.
                bytes += 3;
            }
        }
        return bytes;
    }
}
