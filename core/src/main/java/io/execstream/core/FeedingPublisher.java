package io.execstream.core;

import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.CancelRelay;
import io.execstream.ports.ProjectFeed;
import io.execstream.ports.RunNotifier;
import io.execstream.ports.StreamChange;
import io.execstream.ports.StreamPublisher;
import io.execstream.ports.StreamSubscriber;
import io.execstream.ports.Subscription;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publisher as the core's writers (the launch, {@link StreamPump}, {@link StreamTalk}) see it:
 * every call goes on to the real publisher, and after the ones that change what a stream's status
 * shows ({@link #open}, {@link #updateSession}, {@link #complete}) the stream as it now stands goes
 * to the {@link ProjectFeed} and to the {@link RunNotifier} (with the run's own webhook target), on
 * the writer's thread and in the stream's order. It remembers the streams of this node that run,
 * and forgets each when it completes. Since only the node that runs a stream writes it, the
 * notifier hears of each change on that node alone.
 *
 * <p>A feed or notifier that throws is logged and does not stop the stream: both are best effort.
 */
final class FeedingPublisher implements StreamPublisher {
    private static final System.Logger LOG = System.getLogger(FeedingPublisher.class.getName());

    private final StreamPublisher publisher;
    private final ProjectFeed feed;
    private final RunNotifier notifier;
    private final Map<StreamId, Run> running = new ConcurrentHashMap<>();

    /** A running stream as last told, and its run's own webhook target (null: none). */
    private record Run(StreamChange last, URI webhook) {
    }

    FeedingPublisher(StreamPublisher publisher, ProjectFeed feed, RunNotifier notifier) {
        this.publisher = publisher;
        this.feed = feed;
        this.notifier = notifier;
    }

    /**
     * Opens {@code stream}, which {@code title} names for a person (null: nothing does), whose run
     * sends its own webhooks to {@code webhook} (null: none).
     */
    void open(StreamInfo stream, String title, URI webhook) {
        publisher.open(stream);
        feed(stream.id(), new Run(new StreamChange(stream, title), webhook));
    }

    @Override
    public void open(StreamInfo stream) {
        open(stream, null, null);
    }

    @Override
    public String append(StreamId stream, StreamEvent event) {
        return publisher.append(stream, event);
    }

    @Override
    public String complete(StreamId stream, StreamEvent.Done done) {
        String id = publisher.complete(stream, done);
        Run run = running.remove(stream);
        if (run != null) {
            send(new Run(new StreamChange(run.last().stream().finish(done, id), run.last().title()), run.webhook()));
        }
        return id;
    }

    @Override
    public void updateSession(StreamId stream, SessionState state) {
        publisher.updateSession(stream, state);
        Run run = running.get(stream);
        if (run != null) {
            feed(stream, new Run(new StreamChange(run.last().stream().withSession(state), run.last().title()), run.webhook()));
        }
    }

    private void feed(StreamId stream, Run run) {
        running.put(stream, run);
        send(run);
    }

    private void send(Run run) {
        StreamChange change = run.last();
        try {
            feed.publish(change);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not hand a change of stream " + change.stream().id() + " to the project feed", e);
        }
        try {
            notifier.changed(change, run.webhook());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not hand a change of stream " + change.stream().id() + " to the run notifier", e);
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
