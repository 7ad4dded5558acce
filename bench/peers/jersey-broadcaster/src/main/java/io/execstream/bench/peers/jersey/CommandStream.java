package io.execstream.bench.peers.jersey;

import io.execstream.bench.peers.shared.PeerStream;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One command's stream: its events in a list (the history, for replay and {@code Last-Event-ID}
 * resume) and an {@link SseBroadcaster} for the subscribers that follow it live. Appending, and a
 * new subscriber's replay and registration, hold the stream's monitor, so that no event falls
 * between a replay and the live feed.
 */
final class CommandStream extends PeerStream {

    private final Sse sse;
    private final SseBroadcaster broadcaster;
    private final List<OutboundSseEvent> history = new ArrayList<>(); // guarded by this

    CommandStream(Sse sse, String project) {
        super(project);
        this.sse = sse;
        this.broadcaster = sse.newBroadcaster();
    }

    @Override
    protected void append(int id, String name, Object data) {
        OutboundSseEvent event = sse.newEventBuilder().id(Integer.toString(id)).name(name)
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(data).build();
        history.add(event);
        broadcaster.broadcast(event);
    }

    @Override
    protected void ended() {
        broadcaster.close();
    }

    /** Sends the events after the first {@code skip}, then follows the stream live, or ends the response if it is done. */
    synchronized void follow(SseEventSink sink, int skip) {
        // A comment first: Jersey sends the response head with the first write, and a subscriber
        // must know it is connected before the command's first line.
        sink.send(sse.newEventBuilder().comment("connected").build());
        for (OutboundSseEvent event : history.subList(skip, history.size())) {
            sink.send(event);
        }
        if (isDone()) {
            try {
                sink.close();
            } catch (IOException e) {
                // the subscriber has gone already
            }
        } else {
            broadcaster.register(sink);
        }
    }

    /** A comment to every live subscriber, so that idle connections are seen to be alive. */
    synchronized void keepalive() {
        if (!isDone()) {
            broadcaster.broadcast(sse.newEventBuilder().comment("keepalive").build());
        }
    }
}
