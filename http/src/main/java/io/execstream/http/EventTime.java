package io.execstream.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * An event's {@code ts} as RFC 3339 in UTC to the millisecond, {@code 2026-12-06T01:02:03.456Z}:
 * always 24 ASCII characters, so that they sort as text. Every output event is stamped, so this is
 * on the hot path: the text up to the second is kept from the last call (a busy stream stamps many
 * events in the same second) and only the milliseconds are written each time, which measured
 * several times faster than a {@link java.time.format.DateTimeFormatter} (see
 * {@code EventTimeBenchmark} in bench/jmh).
 */
final class EventTime {
    /** Characters in every time written. */
    static final int LENGTH = 24;

    /** The last second written, and its text up to the second's dot, "2026-12-06T01:02:03.". */
    private record Second(long epochSecond, byte[] prefix) {
    }

    private static volatile Second last = second(0);

    private EventTime() {
    }

    /** {@code ts} as text. */
    static String format(Instant ts) {
        byte[] out = new byte[LENGTH];
        write(ts, out, 0);
        return new String(out, StandardCharsets.US_ASCII);
    }

    /** Writes {@code ts}'s {@value #LENGTH} ASCII bytes into {@code out} at {@code at}; returns the index after. */
    static int write(Instant ts, byte[] out, int at) {
        long epochSecond = ts.getEpochSecond();
        Second second = last;
        if (second.epochSecond() != epochSecond) {
            second = second(epochSecond);
            last = second;
        }
        byte[] prefix = second.prefix();
        System.arraycopy(prefix, 0, out, at, prefix.length);
        int n = at + prefix.length;
        int millis = ts.getNano() / 1_000_000;
        out[n++] = (byte) ('0' + millis / 100);
        out[n++] = (byte) ('0' + millis / 10 % 10);
        out[n++] = (byte) ('0' + millis % 10);
        out[n++] = 'Z';
        return n;
    }

    private static Second second(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        // Years 0000-9999 keep the fixed width RFC 3339 asks for; nothing else reaches here.
        String text = String.format("%04d-%02d-%02dT%02d:%02d:%02d.", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        return new Second(epochSecond, text.getBytes(StandardCharsets.US_ASCII));
    }
}
