package io.execstream.core;

import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.ProjectFeed;
import io.execstream.ports.StreamChange;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publisher as the core's writers (the launch, {@link StreamPump}, {@link StreamTalk}) see it:
 * every call goes on to the real publisher, and after the ones that change what a stream's status
 * shows ({@link #open}, {@link #updateSession}, {@link #complete}) the stream as it now stands goes
 * to the {@link ProjectFeed}, on the writer's thread and in the stream's order. It remembers the
 * streams of this node that run, and forgets each when it completes.
 *
 * <p>A feed that throws is logged and does not stop the stream: the feed is best effort.
 */
final class FeedingPublisher implements StreamPublisher {
    private static final System.Logger LOG = System.getLogger(FeedingPublisher.class.getName());

    private final StreamPublisher publisher;
    private final ProjectFeed feed;
    private final Map<StreamId, StreamChange> running = new ConcurrentHashMap<>();

    FeedingPublisher(StreamPublisher publisher, ProjectFeed feed) {
        this.publisher = publisher;
        this.feed = feed;
    }

    /** Opens {@code stream}, which {@code title} names for a person (null: nothing does). */
    void open(StreamInfo stream, String title) {
        publisher.open(stream);
        feed(stream.id(), new StreamChange(stream, title));
    }

    @Override
    public void open(StreamInfo stream) {
        open(stream, null);
    }

    @Override
    public String append(StreamId stream, StreamEvent event) {
        return publisher.append(stream, event);
    }

    @Override
    public String complete(StreamId stream, StreamEvent.Done done) {
        String id = publisher.complete(stream, done);
        StreamChange last = running.remove(stream);
        if (last != null) {
            send(new StreamChange(last.stream().finish(done, id), last.title()));
        }
        return id;
    }

    @Override
    public void updateSession(StreamId stream, SessionState state) {
        publisher.updateSession(stream, state);
        StreamChange last = running.get(stream);
        if (last != null) {
            feed(stream, new StreamChange(last.stream().withSession(state), last.title()));
        }
    }

    private void feed(StreamId stream, StreamChange change) {
        running.put(stream, change);
        send(change);
    }

    private void send(StreamChange change) {
        try {
            feed.publish(change);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not hand a change of stream " + change.stream().id() + " to the project feed", e);
        }
    }

    @Override
    public Optional<StreamInfo> find(StreamId stream) {
        return publisher.find(stream);
    }

    @Override
    public List<StreamInfo> list(ProjectId project, int limit) {
        return publisher.list(project, limit);
    }

    @Override
    public Subscription subscribe(StreamId stream, String afterEventId, StreamSubscriber subscriber) {
        return publisher.subscribe(stream, afterEventId, subscriber);
    }

    @Override
    public CancelRelay cancelRelay() {
        return publisher.cancelRelay();
    }

    /** Does nothing: the publisher is the caller's to close. */
    @Override
    public void close() {
    }
}
