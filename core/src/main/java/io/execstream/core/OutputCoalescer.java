package io.execstream.core;

import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns one pipe's bytes into output events of a sensible size. Whole lines go out as soon as they
 * are read, as one event per read however many lines it holds, so a chatty command makes few
 * events and an interactive one loses no time. A trailing partial line waits up to
 * {@link #LINGER_MS} for the rest of its line, then goes out anyway. No event carries more than
 * {@link #MAX_EVENT_BYTES}; a long run of text is cut at a line end where one fits, else at the
 * limit, never inside a character. Each event carries the time its first byte was read, so a
 * partial line that waited for the rest of its line keeps the time it began.
 *
 * <p>It works on the bytes as read, never on decoded text: each event's bytes are made with one
 * copy (a partial line held back, then the read's bytes up to the cut) into an array of their own
 * or, for a large event, a range of an array that later large events share ({@link EventBytes}),
 * and are never written again. What it is given holds whole characters ({@link Utf8Carry} holds
 * back one split between reads), possibly invalid ones, which the event replaces.
 *
 * <p>Not thread-safe on its own: every call, including the linger flush it schedules, runs under
 * the {@code lock} its owner passes in, which also orders the events of the two pipes.
 */
final class OutputCoalescer {
    /** Most bytes of content in one event. */
    static final int MAX_EVENT_BYTES = 64 * 1024;
    /** How long a partial line waits for the rest of its line. */
    static final long LINGER_MS = 5;

    private final Object lock;
    private final Emit emit;
    private final ScheduledExecutorService scheduler;
    /** A partial line held back: no line end in it, at most {@link #MAX_EVENT_BYTES}. */
    private byte[] pending = new byte[256];
    private int pendingLength;
    /** When the start of {@code pending} was read, in epoch milliseconds. */
    private long pendingSince;
    private ScheduledFuture<?> linger;
    private final EventBytes bytes = new EventBytes();

    /** Where events go. */
    @FunctionalInterface
    interface Emit {
        /**
         * One event's bytes, {@code array[offset, offset + length)}, which the receiver keeps and
         * nobody changes (the rest of the array may hold other events' bytes); {@code readAt} is
         * when its first byte was read, in epoch milliseconds.
         */
        void event(byte[] array, int offset, int length, long readAt);
    }

    OutputCoalescer(Object lock, Emit emit, ScheduledExecutorService scheduler) {
        this.lock = lock;
        this.emit = emit;
        this.scheduler = scheduler;
    }

    /**
     * Takes bytes read at {@code readAt} (epoch milliseconds), {@code array[from, to)}, which it
     * does not keep (the caller may reuse the array after the call); emits what is ready. Call
     * under the lock.
     */
    void accept(byte[] array, int from, int to, long readAt) {
        int i = from;
        while (i < to) {
            // The text is pending followed by array[i, to); pending has no line end.
            long total = (long) pendingLength + (to - i);
            int window = (int) Math.min(total, MAX_EVENT_BYTES) - pendingLength;
            int cut = lastLineEnd(array, i, i + window);
            if (cut < 0) {
                if (total <= MAX_EVENT_BYTES) {
                    break; // a partial line that fits: it waits
                }
                cut = characterStart(array, i, i + window);
            }
            long firstRead = pendingLength > 0 ? pendingSince : readAt;
            int length = pendingLength + (cut - i);
            int offset = joined(array, i, cut);
            emit.event(bytes.array(), offset, length, firstRead);
            i = cut;
        }
        if (i < to) {
            if (pendingLength == 0) {
                pendingSince = readAt;
            }
            hold(array, i, to);
        }
        if (pendingLength == 0) {
            cancelLinger();
        } else if (linger == null) {
            linger = scheduler.schedule(this::lingerExpired, LINGER_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Emits everything pending. Call under the lock. */
    void flush() {
        cancelLinger();
        if (pendingLength > 0) {
            int length = pendingLength;
            // The pending bytes alone: nothing of a read after them.
            int offset = joined(pending, 0, 0);
            emit.event(bytes.array(), offset, length, pendingSince);
        }
    }

    /** Just past the last {@code '\n'} in {@code array[from, to)}, or -1 if there is none. */
    private static int lastLineEnd(byte[] array, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (array[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * Where to cut text that reaches the limit at {@code limit}: there, or up to three bytes
     * earlier at the start of the character the limit falls in (a UTF-8 continuation byte is
     * {@code 10xxxxxx}). Something is always emitted: a cut at {@code from} leaves only pending.
     */
    private int characterStart(byte[] array, int from, int limit) {
        int cut = limit;
        // limit < to here (the text did not fit), so array[limit] is a byte of this read.
        for (int back = 0; back < 3 && cut > from && (array[cut] & 0xC0) == 0x80; back++) {
            cut--;
        }
        if (cut == from && pendingLength == 0) {
            return limit; // only continuation bytes: invalid, and replaced wherever it is cut
        }
        return cut;
    }

    /**
     * The pending bytes, then {@code array[from, to)}, copied to where {@link #bytes} puts the
     * event ({@code bytes.array()} from the returned offset); pending is empty after.
     */
    private int joined(byte[] array, int from, int to) {
        int offset = bytes.place(pending, pendingLength, array, from, to);
        pendingLength = 0;
        return offset;
    }

    private void hold(byte[] array, int from, int to) {
        int length = pendingLength + (to - from);
        if (length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(length, pending.length * 2));
        }
        System.arraycopy(array, from, pending, pendingLength, to - from);
        pendingLength = length;
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
