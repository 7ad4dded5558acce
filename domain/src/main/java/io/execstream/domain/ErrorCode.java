package io.execstream.domain;

/**
 * Why input was refused. The HTTP server turns each into its JSON {@code error} code
 * (the lower-case name, e.g. {@code invalid_project_id}) with status 400.
 */
public enum ErrorCode {
    /** A project id that is not a DNS-1123 label. */
    INVALID_PROJECT_ID,
    /** A command that is empty, malformed, or contains a character a process cannot take. */
    INVALID_COMMAND,
    /** A timeout that is not a positive whole number of milliseconds within the allowed maximum. */
    INVALID_TIMEOUT,
    /** An agent run without a prompt. */
    PROMPT_REQUIRED,
    /** Anything else about the request that is malformed. */
    INVALID_REQUEST
}
