package io.execstream.core;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Write {@code data} to the stdin of {@code stream}'s command, then close it if {@code eof}.
 * Recorded in the stream as an {@code input} event unless {@code echo} is false (a secret).
 *
 * @param data text to write, possibly empty; at most {@link #MAX_DATA_BYTES} in UTF-8
 * @param eof  whether to close stdin after it
 * @param echo whether to record it in the stream
 */
public record SendInput(ProjectId project, StreamId stream, String data, boolean eof, boolean echo) {
    /** The most one request may write: 1 MiB. */
    public static final int MAX_DATA_BYTES = 1 << 20;

    public SendInput {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(stream, "stream");
        data = data == null ? "" : data;
        if (data.isEmpty() && !eof) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                    "nothing to send: give \"data\" (a string), \"eof\": true, or both");
        }
        if (data.getBytes(StandardCharsets.UTF_8).length > MAX_DATA_BYTES) {
            throw new RequestRefusedException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "data is larger than the limit of " + MAX_DATA_BYTES + " bytes; send it in parts");
        }
    }
}
