package io.execstream.server.transport;

import io.execstream.http.SseOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.http.io.OutputBuffer;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;

/**
 * An event stream on a suspended Grizzly response. Writes queue frames, which flushes send in
 * one go; the connection's own {@code canWrite}/{@code notifyCanWrite} keep them from ever
 * blocking. A peer that closes its end is seen by Grizzly's selector, which closes the
 * connection; that ends the stream at once instead of at the next keepalive.
 *
 * <p>The first flush goes through the response's {@link OutputBuffer}, which sends the head.
 * After it, frames go to the connection itself, each flush one HTTP chunk that this class frames
 * ({@code size CRLF data CRLF}; raw bytes if the response is not chunked, as for an HTTP/1.0
 * client): the response's buffer, its content packet and Grizzly's chunk encoder cost more per
 * flush than the frames themselves when thousands of subscribers each get a line. The connection
 * keeps writes in order, so the last chunk that {@link Response#resume} sends through the
 * response's buffer at {@link #finish} follows them.
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
    /** Once direct, what is held is sent at this size without waiting for the flush. */
    private static final int SEND_AT = 256 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final Response response;
    private final OutputBuffer out;
    private final MemoryManager memory;
    private final Connection<?> connection;
    /** Set once the head has been sent: frames then go to the connection, not the response's buffer. */
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
    /** Once direct: frames written since the last send that are not in {@code gathered}, in order; null for none. */
    private Buffer held;

    GrizzlySseOutput(Response response) {
        this.response = response;
        this.out = response.getOutputBuffer();
        this.connection = response.getRequest().getContext().getConnection();
        this.memory = connection.getMemoryManager();
    }

    @Override
    public boolean canWrite() {
        // Once direct, the response's buffer no longer sees the writes, and its own answer would
        // stay yes after the first; the connection's is about its outgoing queue, as it should be.
        return direct ? connection.canWrite() : out.canWrite();
    }

    @Override
    public void whenWritable(Runnable onWritable) {
        WriteHandler handler = new WriteHandler() {
            @Override
            public void onWritePossible() {
                onWritable.run();
            }

            @Override
            public void onError(Throwable t) {
                // The connection failed: the close listener ends the stream.
                connection.terminateSilently();
            }
        };
        if (direct) {
            connection.notifyCanWrite(handler);
        } else {
            out.notifyCanWrite(handler);
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        if (bytes.length <= SMALL_FRAME) {
            gather(bytes);
            return;
        }
        // A large frame goes on the wire wrapped, not copied: one array serves every subscriber.
        Buffer frame = Buffers.wrap(memory, bytes);
        if (direct) {
            // Held with what came before it, for the flush to send in one chunk.
            held = joined(joined(held, takeGathered()), frame);
            sendIfLarge();
            return;
        }
        Buffer gatheredBefore = takeGathered();
        // One writeBuffer for one write: Grizzly's canWrite() vouches for the next write alone, and
        // a second one unvouched for would block this thread on a full connection at its flush.
        out.writeBuffer(gatheredBefore == null ? frame : Buffers.appendBuffers(memory, gatheredBefore, frame));
    }

    @Override
    public void flush() throws IOException {
        if (direct) {
            send();
            return;
        }
        passGathered();
        out.flush();
        // The head has gone with this flush: what follows goes to the connection, unless the
        // response's buffer encodes the content (compression, if a host turned it on).
        direct = response.getResponse().getContentEncodings().isEmpty();
        chunked = response.getResponse().isChunked();
    }

    /**
     * Small frames written between two flushes (a subscriber catching up, a burst of lines) go to
     * Grizzly as one array rather than a buffer each: copying a few hundred bytes costs less than
     * the wrapper, composite and write records Grizzly keeps for every buffer it is given.
     */
    private void gather(byte[] bytes) throws IOException {
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
                if (direct) {
                    held = joined(held, takeGathered());
                    sendIfLarge();
                } else {
                    passGathered();
                }
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

    /** Hands what {@link #gather} holds to the response's buffer, before the head has been sent. */
    private void passGathered() throws IOException {
        Buffer held = takeGathered();
        if (held != null) {
            out.writeBuffer(held);
        }
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
        if (held != null && held.remaining() >= SEND_AT) {
            send();
        }
    }

    /** Sends everything written since the last send as one chunk, straight to the connection. */
    private void send() {
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
            if (direct) {
                send();
            } else {
                passGathered();
            }
            // Sends the last chunk through the response's buffer, after everything written.
            response.resume();
        } catch (IOException | RuntimeException e) {
            // The connection is gone already; there is nothing left to end.
            connection.closeSilently();
        }
    }

    @Override
    public void abort() {
        // Not close(), which would wait for the queued bytes to be sent first.
        connection.terminateSilently();
        try {
            response.resume();
        } catch (RuntimeException e) {
            // Expected on a closed connection: resuming only releases Grizzly's request state.
        }
    }

    @Override
    public void onClose(Runnable onClose) {
        connection.addCloseListener((Connection.CloseListener) (closeable, type) -> onClose.run());
    }
}
