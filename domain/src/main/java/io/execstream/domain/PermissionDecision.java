package io.execstream.domain;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A person's answer to a {@link PermissionRequest}.
 *
 * @param verdict          whether the tool may run
 * @param updatedInputJson for {@link Verdict#ALLOW}, the input the tool runs with instead of the
 *                         one asked for, a JSON object in compact form on one line; null to run
 *                         it as asked. Always null for {@link Verdict#DENY}
 * @param message          for {@link Verdict#DENY}, what the agent is told (why, what to do
 *                         instead); null for none. At most {@link #MAX_MESSAGE_BYTES} of UTF-8
 */
public record PermissionDecision(Verdict verdict, String updatedInputJson, String message) {
    /** The longest message: 4,000 bytes of UTF-8. */
    public static final int MAX_MESSAGE_BYTES = 4_000;

    public PermissionDecision {
        Objects.requireNonNull(verdict, "verdict");
        if (updatedInputJson != null) {
            if (verdict == Verdict.DENY) {
                throw invalid("updated_input is only for \"decision\": \"allow\"");
            }
            if (updatedInputJson.indexOf('\n') >= 0 || updatedInputJson.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("updated input JSON must be on one line");
            }
        }
        if (message != null) {
            if (message.indexOf('\0') >= 0) {
                throw invalid("message must not contain NUL");
            }
            if (message.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
                throw new RequestRefusedException(ErrorCode.PAYLOAD_TOO_LARGE,
                        "message is larger than the limit of " + MAX_MESSAGE_BYTES + " bytes");
            }
        }
    }

    /** Allow the tool call as it was asked for. */
    public static PermissionDecision allow() {
        return new PermissionDecision(Verdict.ALLOW, null, null);
    }

    /** Deny the tool call, telling the agent {@code message} (null for no message). */
    public static PermissionDecision deny(String message) {
        return new PermissionDecision(Verdict.DENY, null, message);
    }

    /** Whether a tool call may run. */
    public enum Verdict {
        ALLOW,
        DENY;

        /** The name on the wire: {@code allow} or {@code deny}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException(ErrorCode.INVALID_REQUEST, message);
    }
}
