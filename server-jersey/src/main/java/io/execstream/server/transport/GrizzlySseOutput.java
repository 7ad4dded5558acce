package io.execstream.server.transport;

import io.execstream.http.SseOutput;
import java.io.IOException;
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
    private final Response response;
    private final OutputBuffer out;
    private final MemoryManager memory;
    private final Connection<?> connection;

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
        // The frame itself goes on the wire, wrapped, not copied: one array serves every
        // subscriber, and no buffer is allocated per write.
        out.writeBuffer(Buffers.wrap(memory, bytes));
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void finish() {
        try {
            response.resume();
        } catch (RuntimeException e) {
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
