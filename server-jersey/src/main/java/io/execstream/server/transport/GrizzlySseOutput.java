package io.execstream.server.transport;

import io.execstream.http.SseOutput;
import java.io.IOException;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.http.io.OutputBuffer;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.http.server.Response;

/**
 * An event stream on a suspended Grizzly response. Writes queue frames, which flushes send in
 * one go; Grizzly's own
 * {@code canWrite}/{@code notifyCanWrite} keep them from ever blocking.
 * A peer that closes its end is seen by Grizzly's selector, which closes the connection; that
 * ends the stream at once instead of at the next keepalive.
 */
final class GrizzlySseOutput implements SseOutput {
    /** Frames up to this size are gathered: a line or a few of output, a keepalive, a done event. */
    private static final int SMALL_FRAME = 2048;
    /** The size of a gathering array, unless its first two frames need more. */
    private static final int GATHER_BYTES = 4096;

    private final Response response;
    private final OutputBuffer out;
    private final MemoryManager memory;
    private final Connection<?> connection;
    /** A small frame written since the last flush, not yet given to Grizzly; the second makes {@code gathered}. */
    private byte[] first;
    /** Small frames written since the last flush, copied together; a new array each time, since Grizzly keeps it until sent. */
    private byte[] gathered;
    private int gatheredLength;

    GrizzlySseOutput(Response response) {
        this.response = response;
        this.out = response.getOutputBuffer();
        this.connection = response.getRequest().getContext().getConnection();
        this.memory = connection.getMemoryManager();
    }

    @Override
    public boolean canWrite() {
        return out.canWrite();
    }

    @Override
    public void whenWritable(Runnable onWritable) {
        out.notifyCanWrite(new WriteHandler() {
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
    public void write(byte[] bytes) throws IOException {
        if (bytes.length <= SMALL_FRAME) {
            gather(bytes);
            return;
        }
        // A large frame goes on the wire wrapped, not copied: one array serves every subscriber.
        Buffer frame = Buffers.wrap(memory, bytes);
        Buffer held = takeGathered();
        // One writeBuffer for one write: Grizzly's canWrite() vouches for the next write alone, and
        // a second one unvouched for would block this thread on a full connection at its flush.
        out.writeBuffer(held == null ? frame : Buffers.appendBuffers(memory, held, frame));
    }

    @Override
    public void flush() throws IOException {
        passGathered();
        out.flush();
    }

    /**
     * Small frames written between two flushes (a subscriber catching up, a burst of lines) go to
     * Grizzly as one array rather than a buffer each: copying a few hundred bytes costs less than
     * the wrapper, composite and write records Grizzly keeps for every buffer it is given.
     */
    private void gather(byte[] bytes) throws IOException {
        if (first == null) {
            first = bytes;
            return;
        }
        if (gathered == null) {
            gathered = new byte[Math.max(GATHER_BYTES, first.length + bytes.length)];
            System.arraycopy(first, 0, gathered, 0, first.length);
            gatheredLength = first.length;
        } else if (gatheredLength + bytes.length > gathered.length) {
            passGathered();
            first = bytes;
            return;
        }
        System.arraycopy(bytes, 0, gathered, gatheredLength, bytes.length);
        gatheredLength += bytes.length;
    }

    /** Hands what {@link #gather} holds to Grizzly, in order, before anything written after it. */
    private void passGathered() throws IOException {
        Buffer held = takeGathered();
        if (held != null) {
            out.writeBuffer(held);
        }
    }

    /** What {@link #gather} holds, as one buffer, or null; it holds nothing after. */
    private Buffer takeGathered() {
        Buffer held = gathered != null ? Buffers.wrap(memory, gathered, 0, gatheredLength)
                : first != null ? Buffers.wrap(memory, first) : null;
        first = null;
        gathered = null;
        gatheredLength = 0;
        return held;
    }

    @Override
    public void finish() {
        try {
            passGathered();
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
