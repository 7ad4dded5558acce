package io.execstream.ports;

import io.execstream.domain.OutputType;
import java.nio.ByteBuffer;

/**
 * Receives what a started command writes and how it ends. See {@link CommandRunner} for the
 * order and threads of the calls. Implementations must return quickly: the runner reads the
 * command's pipes on the calling thread.
 */
public interface CommandListener {

    /**
     * Bytes the command wrote to {@code type}, as read; a UTF-8 character may be split across
     * two calls. {@code bytes} is only valid during the call: the runner may reuse it.
     */
    void onOutput(OutputType type, ByteBuffer bytes);

    /** How the command ended. Called exactly once; the last call. */
    void onExit(CommandExit exit);
}
