package io.execstream.http;

import io.execstream.domain.InvalidInputException;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;

/** Stream ids from URL paths. */
public final class Ids {
    private Ids() {
    }

    /** A malformed stream id names no stream: 404, like any other unknown one. */
    public static StreamId stream(String value) {
        try {
            return StreamId.of(value);
        } catch (InvalidInputException e) {
            throw RequestRefusedException.notFound("no stream " + (value.length() > 64 ? value.substring(0, 64) + "..." : value));
        }
    }
}
