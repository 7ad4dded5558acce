package io.execstream.core;

import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import java.util.Objects;

/**
 * Answer the request for permission {@code requestId} that the live agent session of
 * {@code stream} waits on: the tool call runs (perhaps with other input) or is refused.
 *
 * @param requestId the request as the stream names it ({@code p1}, ...; {@link PermissionRequest#REQUEST_ID})
 * @param decision  the answer
 * @param decidedBy who answers, as the stream records it: the name of the caller's key, never the
 *                  key itself; not blank, at most {@link #MAX_DECIDED_BY_CHARS} characters, one line
 */
public record AnswerPermission(ProjectId project, StreamId stream, String requestId, PermissionDecision decision,
                               String decidedBy) {
    /** The longest name of whoever answers. */
    public static final int MAX_DECIDED_BY_CHARS = 128;

    public AnswerPermission {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(stream, "stream");
        if (requestId == null || !PermissionRequest.REQUEST_ID.matcher(requestId).matches()) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                    "not a request id: use the request_id of a permission event (p1, p2, ...)");
        }
        if (decision == null) {
            throw InvalidInputException.invalidRequest("decision is required: \"allow\" or \"deny\"");
        }
        if (decidedBy == null || decidedBy.isBlank() || decidedBy.length() > MAX_DECIDED_BY_CHARS
                || decidedBy.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("decidedBy must be a name of one line, 1 to " + MAX_DECIDED_BY_CHARS
                    + " characters");
        }
    }
}
