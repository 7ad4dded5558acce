package io.execstream.ports;

import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the events of streams and hands them to subscribers: the bounded history of each stream,
 * its metadata, and fan-out to any number of subscribers at once.
 *
 * <h2>Writing a stream</h2>
 * {@link #open} it once, {@link #append} its events, then {@link #complete} it with its
 * {@link StreamEvent.Done}. One writer per stream: calls for one stream are never concurrent
 * (different streams are). Each event gets an id, an opaque string that increases within the
 * stream; the publisher chooses it. Appending after completion is an {@link IllegalStateException}.
 *
 * <h2>Reading a stream</h2>
 * {@link #subscribe} hands a subscriber every event after a position: first what the history
 * holds, then live events as they are appended, with no event lost or repeated between the two.
 * If the history no longer holds events the subscriber asked for, it gets
 * {@link StreamSubscriber#onGap} first. A subscriber never slows the writer or other subscribers:
 * each has a bounded buffer, and one that falls too far behind is closed with
 * {@link StreamSubscriber.CloseReason#TOO_SLOW} (it may subscribe again from its last event id).
 * See {@link StreamSubscriber} for the order and threads of the calls, and {@code DeliveryQueue} in
 * {@code execstream-adapter-support} for machinery that implements them, which a publisher may reuse.
 *
 * <h2>History and retention</h2>
 * Each stream keeps at most {@link HistoryLimits#maxHistoryBytes()} of output in its history,
 * dropping its oldest events first. Past {@link HistoryLimits#historyBudgetBytes()} in all, the
 * output of the oldest finished streams goes first. A publisher may forget such a stream whole, or
 * keep its status and done event until its retention ends (a reader from its start then gets a gap
 * and the done event), which is better: a client that comes back learns how it ended. A publisher
 * may also hold running streams to the budget, taking their oldest output (readers get a gap); one
 * that does not holds them to {@code maxHistoryBytes} each. A finished stream is forgotten
 * {@link HistoryLimits#retention()} after it completed: it is then not found.
 */
public interface StreamPublisher extends AutoCloseable {

    /**
     * Registers a new, running stream.
     *
     * @throws IllegalStateException if a stream with that id exists
     */
    void open(StreamInfo stream);

    /**
     * Appends an event that is not {@link StreamEvent.Done} and hands it to every subscriber.
     *
     * @return the event's id
     * @throws IllegalArgumentException if {@code event} is a {@link StreamEvent.Done}
     * @throws IllegalStateException    if the stream is unknown or already complete
     */
    String append(StreamId stream, StreamEvent event);

    /**
     * Appends the stream's last event and marks it finished with {@code done}'s status and exit
     * code. Its retention time starts now.
     *
     * @return the done event's id
     * @throws IllegalStateException if the stream is unknown or already complete
     */
    String complete(StreamId stream, StreamEvent.Done done);

    /**
     * Records where a running live agent session stands (whether a turn runs, how many have
     * ended, what it cost), so that {@link #find} and {@link #list} show it, on every node that
     * shares this publisher. The writer calls it as the session changes, in order with its
     * appends; the state is kept when the stream completes. A publisher that does not keep it
     * (the default does nothing) shows the state the stream was opened with.
     *
     * @throws IllegalStateException if the stream is unknown
     */
    default void updateSession(StreamId stream, SessionState state) {
    }

    /** The stream's metadata, or empty if it is unknown or has left retention. */
    Optional<StreamInfo> find(StreamId stream);

    /** Up to {@code limit} streams of {@code project}, most recently started first. */
    List<StreamInfo> list(ProjectId project, int limit);

    /**
     * Hands {@code subscriber} the events of {@code stream} after {@code afterEventId}, or from its
     * first event when that is null. Returns at once; delivery happens on the publisher's threads.
     * After the id of the stream's done event there is nothing to hand over: the subscriber's only
     * call is {@link StreamSubscriber#onClosed} with {@link StreamSubscriber.CloseReason#ENDED}.
     * Every subscription returned ends with exactly one terminal call (see {@link StreamSubscriber}).
     *
     * @throws io.execstream.domain.StreamNotFoundException if the stream is unknown
     * @throws io.execstream.domain.InvalidInputException   if {@code afterEventId} is not an
     *         event id this stream could have given
     */
    Subscription subscribe(StreamId stream, String afterEventId, StreamSubscriber subscriber);

    /**
     * What carries a cancel to the node that runs a stream, when several nodes share this
     * publisher's streams. The core is built with it ({@code ExecStream.Builder.cancelRelay}). A
     * publisher of one node keeps the default, {@link CancelRelay#LOCAL}.
     */
    default CancelRelay cancelRelay() {
        return CancelRelay.LOCAL;
    }

    /**
     * What carries the lifecycle of streams (started, session changed, finished) to every node
     * that shares this publisher's streams, so that each node's project consoles see them all; the
     * core is built with it ({@code ExecStream.Builder.projectFeed}). The default, null, means the
     * publisher has none: the core then uses {@link ProjectFeed#local()}.
     */
    default ProjectFeed projectFeed() {
        return null;
    }

    /**
     * Releases the publisher's threads and resources. Open subscriptions are closed with
     * {@link StreamSubscriber.CloseReason#PUBLISHER_CLOSED}, and still get that call after this
     * returns; a subscription replaying a finished stream may instead be handed the rest of it,
     * done event included.
     */
    @Override
    void close();
}
