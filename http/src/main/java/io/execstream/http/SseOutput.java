package io.execstream.http;

import java.io.IOException;

/**
 * Where one event stream's bytes go: a response a transport has already committed with
 * {@link EventStreams#HEADERS}. This is all a transport implements to serve event streams; the
 * protocol (what is written, when it flushes, slow clients, keepalives, the end after
 * {@code done}) is the HTTP layer's.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>The transport hands the output to {@link EventStreams#open}, which registers
 *       {@link #onClose} and then writes the opening comment.</li>
 *   <li>{@link #write} and {@link #flush} come in turns, each only after {@link #canWrite} said
 *       yes; when it says no, {@link #whenWritable} is called and nothing is written until its
 *       callback has run.</li>
 *   <li>Then exactly one of {@link #finish} (after the done event, or when the server closes) or
 *       {@link #abort} (a client that stalled past the write timeout, a failed write). Nothing is
 *       called after it, and the output's callbacks may then be dropped.</li>
 * </ol>
 * Calls come from the publisher's delivery threads, the hub's ticker and the transport's own
 * callbacks, never two at once for one output (the HTTP layer holds a lock around them), and
 * never wait: an implementation must not block in any of them.
 */
public interface SseOutput {
    /**
     * Whether the next write and the flush after it are sure not to block (the connection's
     * outgoing queue is under its bound).
     */
    boolean canWrite();

    /**
     * Calls {@code onWritable} once the connection can take more, on a thread of the transport's,
     * or at once on this thread if it already can. Only one is pending at a time.
     */
    void whenWritable(Runnable onWritable);

    /**
     * Queues one or more whole frames ({@code id:}/{@code event:}/{@code data:} lines and the
     * blank line, or a comment, or a {@code retry:} line) to send. The array is shared between
     * streams and must not be changed.
     *
     * @throws IOException when the connection is gone; the stream is then aborted
     */
    void write(byte[] bytes) throws IOException;

    /**
     * Sends what is queued.
     *
     * @throws IOException when the connection is gone; the stream is then aborted
     */
    void flush() throws IOException;

    /** Ends the response cleanly after what was written; the client may reconnect. */
    void finish();

    /** Drops the connection at once, whatever is under way on it. */
    void abort();

    /**
     * Runs {@code onClose} once the connection closes, whoever closes it (the peer included),
     * where the transport can tell; a transport that cannot leaves it to failed writes and
     * keepalives to find a peer that has gone.
     */
    void onClose(Runnable onClose);
}
