package io.execstream.domain;

/**
 * No stream with that id exists for that project: it never did, it belongs to another
 * project, or it has left retention.
 */
public final class StreamNotFoundException extends RuntimeException {
    public StreamNotFoundException(StreamId stream) {
        super("no stream " + stream.value());
    }
}
