package io.execstream.server.metrics;

import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.ProjectFeed;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.util.List;
import java.util.Optional;

/**
 * A {@link StreamPublisher} that counts, in {@link ServerMetrics}, the events and output bytes
 * the core appends and the streams it completes, then hands every call on unchanged. It lives in
 * the server so the core stays free of any metrics library. Closing it closes nothing: the
 * publisher it wraps belongs to whoever made it.
 */
final class MeteredStreamPublisher implements StreamPublisher {
    private final StreamPublisher delegate;
    private final ServerMetrics metrics;

    MeteredStreamPublisher(StreamPublisher delegate, ServerMetrics metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
    }

    @Override
    public void open(StreamInfo stream) {
        delegate.open(stream);
    }

    @Override
    public String append(StreamId stream, StreamEvent event) {
        String id = delegate.append(stream, event);
        metrics.eventPublished();
        if (event instanceof StreamEvent.Output output) {
            metrics.outputPublished(output.utf8Bytes());
        }
        return id;
    }

    @Override
    public String complete(StreamId stream, StreamEvent.Done done) {
        String id = delegate.complete(stream, done);
        metrics.eventPublished();
        metrics.streamFinished(done.status());
        return id;
    }

    @Override
    public void updateSession(StreamId stream, SessionState state) {
        delegate.updateSession(stream, state);
    }

    @Override
    public CancelRelay cancelRelay() {
        return delegate.cancelRelay();
    }

    @Override
    public ProjectFeed projectFeed() {
        return delegate.projectFeed();
    }

    @Override
    public Optional<StreamInfo> find(StreamId stream) {
        return delegate.find(stream);
    }

    @Override
    public List<StreamInfo> list(ProjectId project, int limit) {
        return delegate.list(project, limit);
    }

    @Override
    public Subscription subscribe(StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        return delegate.subscribe(stream, afterEventId, subscriber);
    }

    @Override
    public void close() {
        // The wrapped publisher is closed by its owner, after the service that writes to it.
    }
}
