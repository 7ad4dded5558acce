package io.execstream.bench.peers.webflux;

import io.execstream.bench.peers.shared.PeerStream;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * One command's stream on a replaying sink: every event it has had goes to each new subscriber,
 * then the live ones. A subscriber that resumes after event {@code n} gets the replay with its
 * first {@code n} events skipped.
 */
final class CommandStream extends PeerStream {

    // The whole history: the replay sink keeps every event for the stream's lifetime.
    private final Sinks.Many<ServerSentEvent<Object>> events = Sinks.many().replay().all();

    CommandStream(String project) {
        super(project);
    }

    // Emitted one at a time (under the stream's monitor), as a sink requires: two pipes feed it.
    @Override
    protected void append(int id, String name, Object data) {
        events.tryEmitNext(ServerSentEvent.builder(data).id(Integer.toString(id)).event(name).build()).orThrow();
    }

    @Override
    protected void ended() {
        events.tryEmitComplete();
    }

    /** The events after the first {@code skip}: the history, then the live ones until done. */
    Flux<ServerSentEvent<Object>> after(int skip) {
        return events.asFlux().skip(skip);
    }
}
