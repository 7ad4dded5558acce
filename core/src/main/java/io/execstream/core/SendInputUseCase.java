package io.execstream.core;

/** Writes to the stdin of running commands started with {@code stdin}. */
public interface SendInputUseCase {

    /**
     * Takes {@code input} for the stream's command: it is written in the order taken, after what
     * was sent before, and recorded in the stream (unless not echoed) at once. Returns when it is
     * queued, not when the command has read it; waits a bounded time for room when the command
     * has left earlier input unread.
     *
     * @throws io.execstream.domain.StreamNotFoundException if {@code project} has no such stream
     * @throws io.execstream.domain.ExecStreamException     {@code stream_finished} (409) for a
     *         finished stream; {@code no_stdin} (409) for one started without stdin, whose stdin
     *         was closed, or that is a live agent session; {@code input_blocked} (503) when the
     *         command has not read what it was sent; {@code node_unreachable} (503) when the node
     *         that runs it is gone
     */
    Accepted sendInput(SendInput input);
}
