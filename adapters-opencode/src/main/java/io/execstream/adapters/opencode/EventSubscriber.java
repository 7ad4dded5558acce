package io.execstream.adapters.opencode;

import io.execstream.sse.SseEvent;
import io.execstream.sse.SseParser;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Reads one {@code GET /event} response: parses the event stream and hands each event's data,
 * then the end of the stream, to the run as {@link Signal}s. Runs on the HTTP client's threads;
 * the run's thread consumes the signals, so nothing here calls the listener.
 */
final class EventSubscriber implements HttpResponse.BodySubscriber<Object> {

    private final int connection;
    private final Consumer<Signal> out;
    private final SseParser parser;
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    EventSubscriber(int connection, Consumer<Signal> out) {
        this.connection = connection;
        this.out = out;
        this.parser = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                out.accept(new Signal.Data(connection, event.data()));
            }
        });
    }

    int connection() {
        return connection;
    }

    /** Drops the connection; no more signals come from it. */
    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public CompletionStage<Object> getBody() {
        // Complete at once: the response is handed over when its headers are in, and the events follow.
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (cancelled) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        if (cancelled) {
            return;
        }
        // Calls come one at a time (reactive streams rule 1.3), so the parser needs no lock.
        for (ByteBuffer buffer : item) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            parser.feed(bytes, 0, bytes.length);
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        if (!cancelled) {
            out.accept(new Signal.Ended(connection, throwable));
        }
    }

    @Override
    public void onComplete() {
        parser.finish();
        if (!cancelled) {
            out.accept(new Signal.Ended(connection, null));
        }
    }
}
