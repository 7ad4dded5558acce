package io.execstream.domain;

import java.util.Objects;

/** Input that breaks a rule of the domain; {@link #code()} says which rule. */
public final class InvalidInputException extends RuntimeException {
    private final ErrorCode code;

    public InvalidInputException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The rule that was broken. */
    public ErrorCode code() {
        return code;
    }
}
