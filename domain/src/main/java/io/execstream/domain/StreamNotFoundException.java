package io.execstream.domain;

/**
 * No stream with that id exists for that project: it never did, it belongs to another
 * project, or it has left retention. {@link ErrorCode#NOT_FOUND}.
 */
public final class StreamNotFoundException extends ExecStreamException {
    public StreamNotFoundException(StreamId stream) {
        super(ErrorCode.NOT_FOUND, "no stream " + stream.value());
    }
}
