package io.execstream.core;

import java.util.Arrays;

/**
 * Keeps a character whole across the reads of one pipe: the start of a UTF-8 character that a
 * read cut off is held back and handed on with the rest of it, from the next read. Nothing is
 * decoded or checked here (an event replaces invalid bytes when it is made), so bytes are passed
 * on where they lie, with no copy, but for the few of a character split between two reads.
 *
 * <p>Not thread-safe: one per pipe, used by that pipe's reader (under its owner's lock).
 */
final class Utf8Carry {
    /** Where whole characters go: {@code array[from, to)}, valid only during the call. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] array, int from, int to);
    }

    /** The start of a character whose remaining bytes have not come yet (at most 3 bytes). */
    private final byte[] carry = new byte[4];
    private int carried;

    /** Hands {@code array[from, to)} on, after what was held back, holding back a character it cuts off. */
    void split(byte[] array, int from, int to, Sink sink) {
        if (carried > 0) {
            // Complete the held-back character with the continuation bytes this read starts with.
            int wanted = length(carry[0] & 0xff) - carried;
            int k = 0;
            while (k < wanted && from + k < to && (array[from + k] & 0xC0) == 0x80) {
                k++;
            }
            System.arraycopy(array, from, carry, carried, k);
            carried += k;
            from += k;
            if (k < wanted && from == to) {
                return; // the read ended inside the character too: wait for more
            }
            // Complete, or broken by a byte that cannot continue it (then replaced as invalid).
            sink.accept(Arrays.copyOf(carry, carried), 0, carried);
            carried = 0;
        }
        int tail = incompleteTail(array, from, to);
        if (to - tail > from) {
            sink.accept(array, from, to - tail);
        }
        System.arraycopy(array, to - tail, carry, 0, tail);
        carried = tail;
    }

    /** At the pipe's end: whatever is held back (an incomplete character, replaced as invalid). */
    void finish(Sink sink) {
        if (carried > 0) {
            sink.accept(Arrays.copyOf(carry, carried), 0, carried);
            carried = 0;
        }
    }

    /** The length a character starting with {@code lead} has; 1 for a byte that starts none. */
    private static int length(int lead) {
        return lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    }

    /** How many bytes at the end of {@code [from, to)} start a character that is not complete. */
    private static int incompleteTail(byte[] array, int from, int to) {
        for (int back = 1; back <= 3 && to - back >= from; back++) {
            int b = array[to - back] & 0xff;
            if (b < 0x80) {
                return 0; // ASCII: whatever came before it is complete or invalid
            }
            if (b >= 0xC0) {
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return length > back && b < 0xF8 ? back : 0;
            }
            // a continuation byte: look further back for its lead
        }
        return 0; // no lead within reach: invalid, the event replaces it
    }
}
