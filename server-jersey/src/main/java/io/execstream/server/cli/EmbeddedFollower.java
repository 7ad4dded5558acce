package io.execstream.server.cli;

import io.execstream.client.DoneEvent;
import io.execstream.client.ExecStreamException;
import io.execstream.client.GapEvent;
import io.execstream.client.OutputEvent;
import io.execstream.client.StreamListener;
import io.execstream.core.FollowStreamUseCase;
import io.execstream.domain.OutputType;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamSubscriber;
import java.util.Map;

/**
 * Follows a stream of an in-process {@code ExecStream} and hands its events to a
 * {@link StreamListener}, as the client would for a remote one, so the terminal output is
 * written by one piece of code in both modes. A subscription closed for falling behind (a
 * terminal slower than the command) follows again from its last event, as the server does.
 */
final class EmbeddedFollower implements StreamSubscriber {
    private final FollowStreamUseCase service;
    private final ProjectId project;
    private final StreamId stream;
    private final StreamListener listener;
    private volatile String lastEventId;

    private EmbeddedFollower(FollowStreamUseCase service, ProjectId project, StreamId stream, StreamListener listener) {
        this.service = service;
        this.project = project;
        this.stream = stream;
        this.listener = listener;
    }

    /** Starts following {@code stream} from its first event. */
    static void follow(FollowStreamUseCase service, ProjectId project, StreamId stream, StreamListener listener) {
        EmbeddedFollower follower = new EmbeddedFollower(service, project, stream, listener);
        service.follow(project, stream, null, follower);
    }

    @Override
    public void onGap(Gap gap) {
        lastEventId = gap.lastMissedId();
        listener.onGap(new GapEvent(gap.lastMissedId(), gap.missed()));
    }

    @Override
    public void onEvent(PublishedEvent published) {
        lastEventId = published.id();
        StreamEvent event = published.event();
        if (event instanceof StreamEvent.Output output) {
            listener.onOutput(new OutputEvent(published.id(), output.type() == OutputType.STDERR
                    ? "stderr" : "stdout", output.content()));
        } else if (event instanceof StreamEvent.Done done) {
            listener.onDone(new DoneEvent(published.id(), done.exitCode(), done.durationMs(), done.status().wireName(),
                    done.message(), Map.of()));
        }
    }

    @Override
    public void onClosed(CloseReason reason) {
        if (reason == CloseReason.TOO_SLOW) {
            // Not from this delivery thread: the publisher may still be finishing this subscription.
            Thread again = new Thread(() -> service.follow(project, stream, lastEventId, this), "execstream-cli-refollow");
            again.setDaemon(true);
            again.start();
            return;
        }
        listener.onFailure(new ExecStreamException(0, "io", "the stream was closed: " + reason));
    }
}
