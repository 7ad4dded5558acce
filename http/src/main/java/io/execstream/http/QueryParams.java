package io.execstream.http;

import io.execstream.domain.InvalidInputException;

/** Checks of query parameters shared by the routes that take them, with the same refusals. */
public final class QueryParams {
    private QueryParams() {
    }

    /**
     * {@code value} as a {@code limit} from 1 to {@code max}, or {@code absent} when it is null.
     *
     * @throws InvalidInputException {@code 400 invalid_request} for anything else
     */
    public static int limit(String value, int max, int absent) {
        if (value == null) {
            return absent;
        }
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > max) {
            throw InvalidInputException.invalidRequest("limit must be a whole number from 1 to " + max);
        }
        return n;
    }
}
