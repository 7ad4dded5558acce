package io.execstream.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tool call that a live agent session started with approvals waits on: the agent asked whether
 * it may run it, and a person answers (or the request is denied when it expires).
 *
 * @param requestId the request's id within its stream, given by the core ({@code p1},
 *                  {@code p2}, ...); it appears in URLs, so it is a short safe word
 * @param toolName  the tool the agent wants to use, as the agent names it ({@code Bash},
 *                  {@code bash}, {@code Edit}, ...)
 * @param inputJson what the tool would be called with, a JSON object in compact form on one line
 * @param reason    why the agent asks, when it says; null otherwise
 * @param expiresAt when the request is denied if no one has answered it
 */
public record PermissionRequest(String requestId, String toolName, String inputJson, String reason, Instant expiresAt) {
    /** A request id: a letter or digit, then up to 63 letters, digits, {@code _} or {@code -}. */
    public static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    public PermissionRequest {
        Objects.requireNonNull(requestId, "requestId");
        if (!REQUEST_ID.matcher(requestId).matches()) {
            throw new IllegalArgumentException("not a request id: " + requestId);
        }
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(inputJson, "inputJson");
        if (inputJson.indexOf('\n') >= 0 || inputJson.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a tool's input JSON must be on one line");
        }
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
