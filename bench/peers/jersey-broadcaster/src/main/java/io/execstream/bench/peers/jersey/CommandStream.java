package io.execstream.bench.peers.jersey;

import io.execstream.bench.peers.shared.PeerStream;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One command's stream: its events in a list (the history, for replay and {@code Last-Event-ID}
 * resume) and the sinks of the subscribers that follow it live, each event sent to each of them
 * in turn. Appending, and a new subscriber's replay and registration, hold the stream's monitor,
 * so that no event falls between a replay and the live feed.
 *
 * <p>Not an {@code SseBroadcaster}: Jersey's delivers on its executor through a buffer of 256
 * events per subscriber and drops what does not fit (offer, not submit), which loses a fast
 * command's output on its way to a subscriber that reads slower than the command writes (one in
 * six 10 MB runs, all 300 MB ones). Sending on the caller's thread keeps every event, in order:
 * a slow subscriber holds up the command's reader, as back-pressure.
 */
final class CommandStream extends PeerStream {

    private final Sse sse;
    private final List<OutboundSseEvent> history = new ArrayList<>(); // guarded by this
    private final List<SseEventSink> live = new ArrayList<>(); // guarded by this

    CommandStream(Sse sse, String project) {
        super(project);
        this.sse = sse;
    }

    @Override
    protected void append(int id, String name, Object data) {
        OutboundSseEvent event = sse.newEventBuilder().id(Integer.toString(id)).name(name)
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(data).build();
        history.add(event);
        sendToLive(event);
    }

    @Override
    protected void ended() {
        live.forEach(CommandStream::close);
        live.clear();
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
            close(sink);
        } else {
            live.add(sink);
        }
    }

    /** A comment to every live subscriber, so that idle connections are seen to be alive. */
    synchronized void keepalive() {
        sendToLive(sse.newEventBuilder().comment("keepalive").build());
    }

    // With the monitor held. A subscriber that has gone is dropped from the list.
    private void sendToLive(OutboundSseEvent event) {
        for (Iterator<SseEventSink> it = live.iterator(); it.hasNext(); ) {
            SseEventSink sink = it.next();
            try {
                if (sink.isClosed() || sink.send(event).toCompletableFuture().join() instanceof Exception) {
                    it.remove();
                    close(sink);
                }
            } catch (IllegalStateException e) {
                it.remove(); // closed meanwhile
            }
        }
    }

    private static void close(SseEventSink sink) {
        try {
            sink.close();
        } catch (IOException | IllegalStateException e) {
            // the subscriber has gone already
        }
    }
}
