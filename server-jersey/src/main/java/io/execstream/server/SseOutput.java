package io.execstream.server;

import java.io.IOException;

/**
 * Where one event stream's bytes go: a response already committed as {@code text/event-stream}.
 * Nothing here blocks on a slow client: a caller writes only after {@link #canWrite} said yes,
 * and otherwise waits for {@link #whenWritable}.
 */
interface SseOutput {
    /**
     * Whether the next write or flush is sure not to block (the connection's outgoing queue is
     * under its bound). A true answer holds for one write and the flush after it.
     */
    boolean canWrite();

    /**
     * Calls {@code onWritable} once the connection can take more, on a thread of the server's,
     * or at once on this thread if it already can. Only one may be pending.
     */
    void whenWritable(Runnable onWritable);

    /** Buffers {@code bytes}; the array is shared between streams and must not be changed. */
    void write(byte[] bytes) throws IOException;

    /** Sends what is buffered. */
    void flush() throws IOException;

    /** Ends the response cleanly after what was written; the client may reconnect. */
    void finish();

    /** Drops the connection at once, whatever is under way on it. */
    void abort();

    /** Runs {@code onClose} once the connection closes, whoever closes it (the peer included). */
    void onClose(Runnable onClose);
}
