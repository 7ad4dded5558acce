package io.execstream.domain;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A stream's id: unguessable, URL-safe, unique for the life of the process and beyond. */
public record StreamId(String value) {
    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public StreamId {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new InvalidInputException(ErrorCode.INVALID_REQUEST,
                    "stream id must be 1 to 64 characters of letters, digits, '_' or '-'");
        }
    }

    /** A fresh id of 96 random bits, hex-encoded. */
    public static StreamId random() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return new StreamId(HexFormat.of().formatHex(bytes));
    }

    public static StreamId of(String value) {
        return new StreamId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
