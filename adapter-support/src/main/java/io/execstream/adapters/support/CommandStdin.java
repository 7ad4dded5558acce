package io.execstream.adapters.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * The write end of a command's standard input, as {@link io.execstream.ports.RunningCommand#stdin()}
 * hands it out (made by {@link StdinPipe#connect()}).
 *
 * <ul>
 *   <li>{@code write} goes straight to the pipe, unbuffered, in order, and returns once every byte
 *       is in it: it blocks while the pipe is full (the command does not read). {@code flush}
 *       does nothing.</li>
 *   <li>{@code write} throws {@link IOException} once the command no longer reads its stdin
 *       (it, and whatever it started with that stdin, have ended or closed it: {@code EPIPE}),
 *       and once this stream is closed.</li>
 *   <li>{@code close()} sends end-of-file; it may come from any thread, also while another is
 *       blocked in {@code write}, which then throws. The runner closes it when the command is
 *       stopped and when its exit is reported. Closing twice does nothing.</li>
 *   <li>Interrupting a thread blocked in {@code write} closes the stream as well (end-of-file).</li>
 * </ul>
 *
 * One thread writes at a time; {@code close} may race it.
 */
public final class CommandStdin extends OutputStream {

    private final FileChannel channel;

    CommandStdin(FileChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (ClosedByInterruptException e) {
            throw closed("the write was interrupted; stdin is closed", e);
        } catch (AsynchronousCloseException e) {
            throw closed("stdin was closed during the write", e);
        } catch (ClosedChannelException e) {
            throw closed("stdin is closed", e);
        } catch (IOException e) {
            // EPIPE: nothing reads the pipe any more. Later writes say "closed".
            close();
            throw new IOException("the command no longer reads its stdin (" + e.getMessage() + ")", e);
        }
    }

    /** Whether {@link #close()} has been called (by the caller or the runner). */
    public boolean isClosed() {
        return !channel.isOpen();
    }

    /** Sends end-of-file to the command; releases a write blocked on a full pipe. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // The descriptor is released either way.
        }
    }

    private static IOException closed(String message, IOException cause) {
        return new IOException(message, cause);
    }
}
