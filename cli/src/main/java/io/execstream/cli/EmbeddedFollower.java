package io.execstream.cli;

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
 * written by one piece of code in both modes. The core's {@code followToEnd} resumes it when it
 * falls behind (a terminal slower than the command), so only a real end reaches the listener.
 */
final class EmbeddedFollower implements StreamSubscriber {
    private final StreamListener listener;

    private EmbeddedFollower(StreamListener listener) {
        this.listener = listener;
    }

    /** Starts following {@code stream} from its first event. */
    static void follow(FollowStreamUseCase service, ProjectId project, StreamId stream, StreamListener listener) {
        service.followToEnd(project, stream, null, new EmbeddedFollower(listener));
    }

    @Override
    public void onGap(Gap gap) {
        listener.onGap(new GapEvent(gap.lastMissedId(), gap.missed()));
    }

    @Override
    public void onEvent(PublishedEvent published) {
        StreamEvent event = published.event();
        if (event instanceof StreamEvent.Output output) {
            listener.onOutput(new OutputEvent(published.id(), output.type() == OutputType.STDERR
                    ? "stderr" : "stdout", output.content(), output.ts()));
        } else if (event instanceof StreamEvent.Done done) {
            listener.onDone(new DoneEvent(published.id(), done.exitCode(), done.durationMs(), done.status().wireName(),
                    done.message(), Map.of()));
        }
    }

    @Override
    public void onClosed(CloseReason reason) {
        listener.onFailure(new ExecStreamException(0, "io", "the stream was closed: " + reason));
    }
}
