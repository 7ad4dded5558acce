package io.execstream.core;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Send a follow-up message to the live agent session of {@code stream}: the agent runs it as its
 * next turn, after the turn that runs if there is one.
 *
 * @param prompt what to say; not blank, at most {@link #MAX_PROMPT_BYTES} in UTF-8, no NUL
 */
public record SendMessage(ProjectId project, StreamId stream, String prompt) {
    /** The longest message, as the longest first prompt: 120,000 bytes. */
    public static final int MAX_PROMPT_BYTES = 120_000;

    public SendMessage {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(stream, "stream");
        if (prompt == null || prompt.isBlank()) {
            throw new InvalidInputException(ErrorCode.PROMPT_REQUIRED, "prompt is required");
        }
        if (prompt.indexOf('\0') >= 0) {
            throw InvalidInputException.invalidRequest("prompt must not contain NUL");
        }
        if (prompt.getBytes(StandardCharsets.UTF_8).length > MAX_PROMPT_BYTES) {
            throw new RequestRefusedException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "prompt is larger than the limit of " + MAX_PROMPT_BYTES + " bytes");
        }
    }
}
