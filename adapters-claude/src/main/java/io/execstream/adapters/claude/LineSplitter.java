package io.execstream.adapters.claude;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Splits a byte stream into lines at {@code '\n'}, keeping a partial line across chunks. It works
 * on bytes, so a UTF-8 character split between two chunks is never cut: {@code '\n'} never occurs
 * inside a multi-byte character. A line longer than the limit is not kept: its bytes are counted
 * and dropped, and it is reported as too long when its end comes. Not thread-safe.
 */
final class LineSplitter {

    /** Receives what the splitter finds. */
    interface Sink {
        /** A line without its {@code '\n'}; {@code buffer} is only valid during the call. */
        void line(byte[] buffer, int offset, int length);

        /** A line of {@code length} bytes that was longer than the limit and was dropped. */
        void tooLong(long length);
    }

    private static final int INITIAL_CAPACITY = 8 << 10;
    /** A buffer grown past this for one long line is released once that line is done. */
    private static final int RETAINED_CAPACITY = 1 << 20;

    private final int maxLineBytes;
    private byte[] buffer = new byte[INITIAL_CAPACITY];
    private int length;
    /** Bytes of the current line while it is being dropped; -1 while it is kept. */
    private long dropped = -1;

    LineSplitter(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive");
        }
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads the bytes between {@code bytes}' position and limit (without moving its position) and
     * reports each line they complete.
     */
    void feed(ByteBuffer bytes, Sink sink) {
        int end = bytes.limit();
        int start = bytes.position();
        for (int i = start; i < end; i++) {
            if (bytes.get(i) == '\n') {
                append(bytes, start, i - start);
                endLine(sink);
                start = i + 1;
            }
        }
        append(bytes, start, end - start);
    }

    /** Reports the last line if it had no {@code '\n'}; the splitter is then empty. */
    void finish(Sink sink) {
        if (dropped >= 0 || length > 0) {
            endLine(sink);
        }
    }

    private void append(ByteBuffer bytes, int from, int count) {
        if (count == 0) {
            return;
        }
        if (dropped >= 0) {
            dropped += count;
            return;
        }
        if ((long) length + count > maxLineBytes) {
            dropped = (long) length + count;
            release();
            return;
        }
        if (length + count > buffer.length) {
            int capacity = (int) Math.min(Math.max((long) buffer.length * 2, (long) length + count), maxLineBytes);
            buffer = Arrays.copyOf(buffer, capacity);
        }
        bytes.get(from, buffer, length, count);
        length += count;
    }

    private void endLine(Sink sink) {
        long droppedLength = dropped;
        int lineLength = length;
        // Reset first: the sink may throw, and the next line must not inherit this one.
        dropped = -1;
        length = 0;
        if (droppedLength >= 0) {
            sink.tooLong(droppedLength);
        } else {
            byte[] line = buffer;
            if (buffer.length > RETAINED_CAPACITY) {
                release();
            }
            sink.line(line, 0, lineLength);
        }
    }

    private void release() {
        length = 0;
        if (buffer.length > INITIAL_CAPACITY) {
            buffer = new byte[INITIAL_CAPACITY];
        }
    }
}
