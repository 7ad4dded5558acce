package io.execstream.jaxrs;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Frames of the event-stream protocol, as the HTTP layer encoded them, sent on a JAX-RS
 * {@link jakarta.ws.rs.sse.SseEventSink} byte for byte by {@link Writer}.
 *
 * <p>Why not an event built with {@code Sse.newEventBuilder()}: Jersey's writer puts an event's
 * {@code id:} before its {@code data:}, and a client that takes the id as soon as it reads it (the
 * npm {@code eventsource} package up to v2) then loses the event when the connection is cut inside
 * it. The HTTP layer writes the id last; sent as they are, the frames are the same on every
 * transport.
 *
 * @param bytes what the HTTP layer wrote between two flushes: whole lines, each ended by {@code \n}
 */
record SseFrame(byte[] bytes) implements OutboundSseEvent {

    @Override
    public String getId() {
        return null;
    }

    @Override
    public String getName() {
        return null;
    }

    @Override
    public String getComment() {
        return null;
    }

    @Override
    public long getReconnectDelay() {
        return RECONNECT_NOT_SET;
    }

    @Override
    public boolean isReconnectDelaySet() {
        return false;
    }

    @Override
    public Class<?> getType() {
        return byte[].class;
    }

    @Override
    public Type getGenericType() {
        return byte[].class;
    }

    @Override
    public MediaType getMediaType() {
        return MediaType.SERVER_SENT_EVENTS_TYPE;
    }

    @Override
    public Object getData() {
        return bytes;
    }

    /**
     * Writes an {@link SseFrame}'s bytes. Jersey picks the writer of the most specific type, so
     * this one, not its own writer of every {@link OutboundSseEvent}, writes the frames; no other
     * type is touched.
     *
     * <p>Jersey's sink puts a line break after every chunk (its own writer ends an event with one
     * line break, and that one closes the event's block). Every chunk ends with one, so the writer
     * leaves it out and the sink's puts it back: the bytes on the wire are the HTTP layer's.
     */
    static final class Writer implements MessageBodyWriter<SseFrame> {
        @Override
        public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
            return type == SseFrame.class;
        }

        @Override
        public void writeTo(SseFrame frame, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                            MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
            byte[] bytes = frame.bytes();
            boolean endsLine = bytes.length > 0 && bytes[bytes.length - 1] == '\n';
            out.write(bytes, 0, endsLine ? bytes.length - 1 : bytes.length);
        }
    }
}
