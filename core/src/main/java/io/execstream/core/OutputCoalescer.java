package io.execstream.core;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns one pipe's decoded text into output events of a sensible size. Whole lines go out as soon
 * as they are read, as one event per read however many lines it holds, so a chatty command makes
 * few events and an interactive one loses no time. A trailing partial line waits up to
 * {@link #LINGER_MS} for the rest of its line, then goes out anyway. No event carries more than
 * {@link #MAX_EVENT_BYTES} of UTF-8; a long run of text is cut at a line end where one fits.
 * Each event carries the time its first text was read, so a partial line that waited for the rest
 * of its line keeps the time it began.
 *
 * <p>Not thread-safe on its own: every call, including the linger flush it schedules, runs under
 * the {@code lock} its owner passes in, which also orders the events of the two pipes.
 */
final class OutputCoalescer {
    /** Most UTF-8 bytes of content in one event. */
    static final int MAX_EVENT_BYTES = 64 * 1024;
    /** How long a partial line waits for the rest of its line. */
    static final long LINGER_MS = 5;

    private final Object lock;
    private final Emit emit;
    private final ScheduledExecutorService scheduler;
    private final StringBuilder pending = new StringBuilder();
    private ScheduledFuture<?> linger;
    /** Whether all of {@code pending} is known to be ASCII: then its UTF-8 size is its length. */
    private boolean pendingAscii = true;
    /** When the start of {@code pending} was read, in epoch milliseconds. */
    private long pendingSince;
    /** When the text last taken was read: the time of what is left after an event is cut. */
    private long lastRead;

    /** Where events go. */
    @FunctionalInterface
    interface Emit {
        /**
         * One event's text, with its UTF-8 size when that is known already (all ASCII, or counted
         * to find where to cut), so that nobody counts it again; -1 when it is not. {@code readAt}
         * is when its first text was read, in epoch milliseconds.
         */
        void event(String content, long utf8Bytes, long readAt);
    }

    OutputCoalescer(Object lock, Emit emit, ScheduledExecutorService scheduler) {
        this.lock = lock;
        this.emit = emit;
        this.scheduler = scheduler;
    }

    /** Takes text read at {@code readAt} (epoch milliseconds); emits what is ready. Call under the lock. */
    void accept(String text, long readAt) {
        accept(text, false, readAt);
    }

    /**
     * As {@link #accept(String, long)}, for text known to be ASCII only when {@code ascii} is set,
     * which spares counting its UTF-8 size char by char.
     */
    void accept(String text, boolean ascii, long readAt) {
        if (text.isEmpty()) {
            return;
        }
        if (pending.length() == 0) {
            pendingSince = readAt;
        }
        lastRead = readAt;
        pendingAscii = (pending.length() == 0 || pendingAscii) && ascii;
        pending.append(text);
        emitReady();
        if (pending.length() > 0 && linger == null) {
            linger = scheduler.schedule(this::lingerExpired, LINGER_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Emits everything pending. Call under the lock. */
    void flush() {
        cancelLinger();
        while (pending.length() > 0) {
            emitPrefix(true);
        }
    }

    private void emitReady() {
        while (pending.length() > 0) {
            if (!emitPrefix(false)) {
                return;
            }
        }
        cancelLinger();
    }

    /**
     * Emits the start of {@code pending}: up to the last line end within the byte limit; failing
     * that, as much as fits when the limit is reached or {@code all} is set. Returns whether it
     * emitted anything.
     */
    private boolean emitPrefix(boolean all) {
        // Where the limit falls and where the last line end before it is, with their UTF-8 sizes
        // when known: the count that finds the limit in non-ASCII text gives the event's size
        // too, so that it is not counted twice; -1 when not counted.
        int fit;
        long fitBytes;
        int line;
        long lineBytes;
        Utf8Length.Fit counted = pendingAscii ? null : Utf8Length.prefixWithin(pending, MAX_EVENT_BYTES);
        if (counted != null) {
            fit = counted.chars();
            fitBytes = counted.bytes();
            line = counted.lineChars();
            lineBytes = counted.lineBytes();
        } else {
            fit = pendingAscii ? Math.min(pending.length(), MAX_EVENT_BYTES) : pending.length();
            line = fit;
            while (line > 0 && pending.charAt(line - 1) != '\n') {
                line--;
            }
            fitBytes = pendingAscii ? fit : -1;
            lineBytes = pendingAscii ? line : -1;
        }
        int cut = line;
        long bytes = lineBytes;
        if (cut == 0) {
            if (!all && fit == pending.length()) {
                return false;
            }
            cut = fit;
            bytes = fitBytes;
        }
        String content = pending.substring(0, cut);
        pending.delete(0, cut);
        long readAt = pendingSince;
        pendingSince = lastRead;
        emit.event(content, bytes, readAt);
        return true;
    }

    private void lingerExpired() {
        synchronized (lock) {
            linger = null;
            flush();
        }
    }

    private void cancelLinger() {
        if (linger != null) {
            linger.cancel(false);
            linger = null;
        }
    }
}
