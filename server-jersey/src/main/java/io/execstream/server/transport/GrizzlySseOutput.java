package io.execstream.server.transport;

import io.execstream.http.SseOutput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;

/**
 * An event stream on a response of Grizzly's HTTP codec ({@link EventStreamFilter}). Writes
 * queue frames, which flushes send in one go; the connection's own {@code canWrite}/{@code
 * notifyCanWrite} keep them from ever blocking. The connection is not read while the stream is
 * open, so a peer that has gone is found by a failed write (an event's, or at the latest the
 * next keepalive's), which closes the connection and so ends the stream.
 *
 * <p>The first flush goes through the codec as the first content of a {@link StreamHead}, with the
 * head. After it, each flush is one HTTP chunk that this class frames ({@code size CRLF data
 * CRLF}; raw bytes if the response is not chunked, as for an HTTP/1.0 client), written below the
 * codec: its content packet and chunk encoder cost more per flush than the frames themselves when
 * thousands of subscribers each get a line. So is the last chunk, and the head is dropped once
 * sent. The connection keeps writes in order. At the end the codec is told that the answer is
 * complete ({@link EventStreamFilter#complete}), and takes the connection's next request, or
 * closes it as the head said it would (an HTTP/1.0 client, whose body ends with the close; a
 * request with {@code Connection: close}).
 *
 * <p>The filter chain's context for the request stays suspended while the stream is open; the
 * stream's end completes it, or the filter does if the stream ended before it was done opening
 * it ({@link #opened}).
 */
final class GrizzlySseOutput implements SseOutput {
    /** Frames up to this size are gathered: a line or a few of output, a keepalive, a done event. */
    private static final int SMALL_FRAME = 2048;
    /** The first size of a gathering array's frames, unless its first two need more. */
    private static final int FIRST_GATHER_BYTES = 512;
    /**
     * The size a gathering array's frames grow to, unless its first two need more: a subscriber
     * catching up gets its waiting lines in one array, one chunk and one write.
     */
    private static final int GATHER_BYTES = 32 * 1024;
    /** Room before gathered frames for their chunk's size line: up to 6 hex digits and CRLF. */
    private static final int HEAD_ROOM = 8;
    /** The longest size line: an int's 8 hex digits and CRLF. */
    private static final int SIZE_LINE = 10;
    /** Once the head is sent, what is held is sent at this size without waiting for the flush. */
    private static final int SEND_AT = 256 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    /** The chunk that ends a chunked body, with no trailer. */
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** The filter has not returned yet. */
    private static final int OPENING = 0;
    /** The filter returned with the context suspended. */
    private static final int OPEN = 1;
    /** {@link #finish} or {@link #abort} was called. */
    private static final int ENDED = 2;

    private final FilterChainContext ctx;
    /** The head, until it is sent; kept after only if the codec encodes the content (compression). */
    private StreamHead head;
    private final MemoryManager memory;
    private final Connection<?> connection;
    private final AtomicInteger state = new AtomicInteger(OPENING);
    private Connection.CloseListener closeListener;
    /** Set once the head has been sent. */
    private boolean headSent;
    /** Whether, once the head is sent, this class frames the bytes itself (the codec encodes no content coding). */
    private boolean direct;
    /** Whether, once direct, each flush is framed as a chunk. */
    private boolean chunked;
    /** A small frame written since the last flush, not yet given to Grizzly; the second makes {@code gathered}. */
    private byte[] first;
    /**
     * Small frames written since the last flush, copied together from {@link #HEAD_ROOM} on, with
     * two bytes to spare at the end for the chunk's CRLF; a new array each time, since Grizzly
     * keeps it until sent.
     */
    private byte[] gathered;
    private int gatheredEnd;
    /** Frames written since the last send that are not in {@code gathered}, in order; null for none. */
    private Buffer held;

    /** An output that answers the request {@code ctx} holds with {@code head}, not committed yet. */
    GrizzlySseOutput(FilterChainContext ctx, StreamHead head) {
        this.ctx = ctx;
        this.head = head;
        this.connection = ctx.getConnection();
        this.memory = connection.getMemoryManager();
    }

    /**
     * Called once the stream is open: true if the context is now the stream's to end, false if
     * the stream ended already and the caller ends it.
     */
    boolean opened() {
        return state.compareAndSet(OPENING, OPEN);
    }

    @Override
    public boolean canWrite() {
        // Every write goes to the connection's outgoing queue: its bound is what counts.
        return connection.canWrite();
    }

    @Override
    public void whenWritable(Runnable onWritable) {
        connection.notifyCanWrite(new WriteHandler() {
            @Override
            public void onWritePossible() {
                onWritable.run();
            }

            @Override
            public void onError(Throwable t) {
                // The connection failed: the close listener ends the stream.
                connection.terminateSilently();
            }
        });
    }

    @Override
    public void write(byte[] bytes) {
        if (bytes.length <= SMALL_FRAME) {
            gather(bytes);
            return;
        }
        // A large frame goes on the wire wrapped, not copied: one array serves every subscriber.
        // Held with what came before it, for the flush to send in one chunk.
        held = joined(joined(held, takeGathered()), Buffers.wrap(memory, bytes));
        sendIfLarge();
    }

    @Override
    public void flush() {
        if (headSent) {
            send();
            return;
        }
        sendHead(false);
    }

    /**
     * Sends the head through the codec, with what is held as the response's first content, and
     * learns from the codec how what follows is framed.
     */
    private void sendHead(boolean last) {
        Buffer body = joined(held, takeGathered());
        held = null;
        HttpContent.Builder<?> content = HttpContent.builder(head).last(last);
        if (body != null) {
            content.content(body);
        }
        ctx.write(content.build());
        headSent = true;
        // The codec frames the content itself only when it encodes it (compression, if a host
        // turned it on).
        direct = head.getContentEncodings().isEmpty();
        chunked = head.isChunked();
        if (direct) {
            head = null;
        }
    }

    /**
     * Small frames written between two flushes (a subscriber catching up, a burst of lines) go to
     * Grizzly as one array rather than a buffer each: copying a few hundred bytes costs less than
     * the wrapper, composite and write records Grizzly keeps for every buffer it is given.
     */
    private void gather(byte[] bytes) {
        if (first == null && gathered == null) {
            first = bytes;
            return;
        }
        if (gathered == null) {
            // Small at first, growing as frames come: most flushes gather two or three lines, and
            // a new 4 KiB array for each (zeroed, then collected) was 4 % of the server's CPU with
            // 5,000 subscribers.
            gathered = newGathering(Math.max(FIRST_GATHER_BYTES, first.length + bytes.length));
            System.arraycopy(first, 0, gathered, HEAD_ROOM, first.length);
            gatheredEnd = HEAD_ROOM + first.length;
            first = null;
        } else if (gatheredEnd + bytes.length + CRLF.length > gathered.length) {
            int frames = gatheredEnd - HEAD_ROOM;
            int grown = Math.min(GATHER_BYTES, 2 * (gathered.length - HEAD_ROOM - CRLF.length));
            if (frames + bytes.length > grown) {
                held = joined(held, takeGathered());
                sendIfLarge();
                first = bytes;
                return;
            }
            gathered = Arrays.copyOf(gathered, HEAD_ROOM + grown + CRLF.length);
        }
        System.arraycopy(bytes, 0, gathered, gatheredEnd, bytes.length);
        gatheredEnd += bytes.length;
    }

    private static byte[] newGathering(int frames) {
        return new byte[HEAD_ROOM + frames + CRLF.length];
    }

    /** What {@link #gather} holds, unframed, as one buffer, or null; it holds nothing after. */
    private Buffer takeGathered() {
        Buffer held = gathered != null ? Buffers.wrap(memory, gathered, HEAD_ROOM, gatheredEnd - HEAD_ROOM)
                : first != null ? Buffers.wrap(memory, first) : null;
        first = null;
        gathered = null;
        gatheredEnd = 0;
        return held;
    }

    /** {@code a} then {@code b}, either of which may be null. */
    private Buffer joined(Buffer a, Buffer b) {
        return a == null ? b : b == null ? a : Buffers.appendBuffers(memory, a, b);
    }

    /** Sends what is held once it is {@link #SEND_AT} or more, without waiting for the flush. */
    private void sendIfLarge() {
        if (headSent && held != null && held.remaining() >= SEND_AT) {
            send();
        }
    }

    /**
     * Sends everything written since the last send as one chunk, straight to the connection, or
     * as one content through the codec when it encodes the content.
     */
    private void send() {
        if (!direct) {
            Buffer body = joined(held, takeGathered());
            held = null;
            if (body != null) {
                ctx.write(HttpContent.builder(head).content(body).build());
            }
            return;
        }
        if (held == null) {
            sendGathered();
            return;
        }
        Buffer body = joined(held, takeGathered());
        held = null;
        if (chunked) {
            byte[] head = new byte[SIZE_LINE];
            int from = sizeLine(head, SIZE_LINE, body.remaining());
            body = Buffers.appendBuffers(memory, Buffers.wrap(memory, head, from, SIZE_LINE - from), body);
            body = Buffers.appendBuffers(memory, body, Buffers.wrap(memory, CRLF));
        }
        connection.write(body, null);
    }

    /** Sends what {@link #gather} holds as one chunk, its framing in the same array. */
    private void sendGathered() {
        if (first != null && !chunked) {
            byte[] one = first;
            first = null;
            connection.write(Buffers.wrap(memory, one), null);
            return;
        }
        if (first != null) {
            // One frame: copied into an array with room for its chunk's framing (a line, so a
            // few hundred bytes), which costs less than a composite of three buffers.
            byte[] one = first;
            first = null;
            gathered = newGathering(one.length);
            System.arraycopy(one, 0, gathered, HEAD_ROOM, one.length);
            gatheredEnd = HEAD_ROOM + one.length;
        }
        if (gathered == null) {
            return;
        }
        byte[] array = gathered;
        int from = HEAD_ROOM;
        int end = gatheredEnd;
        gathered = null;
        gatheredEnd = 0;
        if (chunked) {
            from = sizeLine(array, HEAD_ROOM, end - HEAD_ROOM);
            array[end++] = '\r';
            array[end++] = '\n';
        }
        connection.write(Buffers.wrap(memory, array, from, end - from), null);
    }

    /**
     * Writes a chunk's size line ({@code size} in hex, CRLF) into {@code array} so that it ends
     * just before {@code end}; returns where it starts.
     */
    private static int sizeLine(byte[] array, int end, int size) {
        int at = end;
        array[--at] = '\n';
        array[--at] = '\r';
        do {
            array[--at] = HEX[size & 0xf];
            size >>>= 4;
        } while (size != 0);
        return at;
    }

    @Override
    public void finish() {
        try {
            if (!headSent) {
                sendHead(true);
            } else if (direct) {
                send();
                if (chunked) {
                    connection.write(Buffers.wrap(memory, LAST_CHUNK), null);
                }
            } else {
                send();
                ctx.write(HttpContent.builder(head).last(true).build());
            }
        } catch (RuntimeException e) {
            // The connection is gone already; there is nothing left to end.
            connection.closeSilently();
        }
        end(true);
    }

    @Override
    public void abort() {
        // Not close(), which would wait for the queued bytes to be sent first.
        connection.terminateSilently();
        end(false);
    }

    /**
     * Lets the request's context go, the answer {@code complete} or not: at once if the stream is
     * open, else once the filter is done opening it.
     */
    private void end(boolean complete) {
        if (closeListener != null) {
            // A connection kept alive for more requests must not keep this stream.
            connection.removeCloseListener(closeListener);
        }
        if (state.getAndSet(ENDED) == OPEN) {
            if (complete) {
                EventStreamFilter.complete(ctx);
            }
            ctx.resume(ctx.getStopAction());
        }
    }

    @Override
    public void onClose(Runnable onClose) {
        closeListener = (closeable, type) -> onClose.run();
        connection.addCloseListener(closeListener);
    }
}
