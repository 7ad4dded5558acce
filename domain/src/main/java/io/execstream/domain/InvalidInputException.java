package io.execstream.domain;

/**
 * Input that breaks a rule of the domain, of the API or of an agent provider; {@link #code()}
 * says which field (e.g. {@link ErrorCode#INVALID_TIMEOUT}), {@link ErrorCode#INVALID_REQUEST}
 * for anything else. Always a 400.
 */
public final class InvalidInputException extends ExecStreamException {

    /**
     * @param code one of the codes answered with 400, e.g. {@link ErrorCode#INVALID_REQUEST}
     * @throws IllegalArgumentException for a code of another status
     */
    public InvalidInputException(ErrorCode code, String message) {
        super(code, message);
        if (code.status() != 400) {
            throw new IllegalArgumentException("invalid input is a 400, not " + code);
        }
    }

    /** {@link ErrorCode#INVALID_REQUEST}: the request is malformed in a way no other code names. */
    public static InvalidInputException invalidRequest(String message) {
        return new InvalidInputException(ErrorCode.INVALID_REQUEST, message);
    }
}
