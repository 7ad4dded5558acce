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

    /** Where events go. */
    @FunctionalInterface
    interface Emit {
        /** One event's text; {@code ascii} when it is known to be all ASCII (its UTF-8 size is its length). */
        void event(String content, boolean ascii);
    }

    OutputCoalescer(Object lock, Emit emit, ScheduledExecutorService scheduler) {
        this.lock = lock;
        this.emit = emit;
        this.scheduler = scheduler;
    }

    /** Takes text just read; emits what is ready. Call under the lock. */
    void accept(String text) {
        accept(text, false);
    }

    /**
     * As {@link #accept(String)}, for text known to be ASCII only when {@code ascii} is set, which
     * spares counting its UTF-8 size char by char.
     */
    void accept(String text, boolean ascii) {
        if (text.isEmpty()) {
            return;
        }
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
            emitPrefix(cutPoint(true));
        }
    }

    private void emitReady() {
        while (pending.length() > 0) {
            int cut = cutPoint(false);
            if (cut == 0) {
                return;
            }
            emitPrefix(cut);
        }
        cancelLinger();
    }

    /**
     * How many chars of {@code pending} to emit now: up to the last line end within the byte limit;
     * failing that, as much as fits when the limit is reached or {@code all} is set; else 0.
     */
    private int cutPoint(boolean all) {
        int fit = pendingAscii ? Math.min(pending.length(), MAX_EVENT_BYTES) : Utf8Length.prefixWithin(pending, MAX_EVENT_BYTES);
        for (int i = fit - 1; i >= 0; i--) {
            if (pending.charAt(i) == '\n') {
                return i + 1;
            }
        }
        return all || fit < pending.length() ? fit : 0;
    }

    private void emitPrefix(int chars) {
        String content = pending.substring(0, chars);
        pending.delete(0, chars);
        emit.event(content, pendingAscii);
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
